# Python module (python/): needs a Python 3 interpreter with its development headers and pybind11
# (Debian: python3-dev pybind11-dev; `make deps`). QBNET_PYTHON defaults to ON when both are found.
#
# Debian's interpreter is /usr/bin/python3 (it sees python3-numpy, python3-pytest, python3-qutip from
# apt); a python3 earlier on PATH (pyenv, venv) usually does not, so /usr/bin/python3 is preferred when
# it exists. Override with -DPython3_EXECUTABLE=/path/to/python3.
if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
  set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python interpreter for the qbnet module and its tests")
endif()
find_package(Python3 3.8 COMPONENTS Interpreter Development.Module QUIET)
if(Python3_FOUND)
  find_package(pybind11 2.6 CONFIG QUIET)
endif()
if(Python3_FOUND AND pybind11_FOUND)
  set(QBNET_PYTHON_DEFAULT ON)
else()
  set(QBNET_PYTHON_DEFAULT OFF)
endif()
option(QBNET_PYTHON "Build the Python module (import qbnet; needs python3-dev and pybind11-dev)" ${QBNET_PYTHON_DEFAULT})
if(QBNET_PYTHON AND NOT (Python3_FOUND AND pybind11_FOUND))
  message(FATAL_ERROR "QBNET_PYTHON=ON needs Python 3 development files and pybind11 "
                      "(Debian: apt-get install python3-dev pybind11-dev), or configure with -DQBNET_PYTHON=OFF")
endif()
if(QBNET_PYTHON)
  message(STATUS "qbnet Python module: ${Python3_EXECUTABLE} (Python ${Python3_VERSION}, pybind11 ${pybind11_VERSION})")
elseif(NOT QBNET_PYTHON_DEFAULT)
  message(STATUS "qbnet Python module: off (python3-dev or pybind11-dev not found)")
endif()
