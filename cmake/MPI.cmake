# MPI (Open MPI from Debian: libopenmpi-dev, openmpi-bin) for sweeps and trajectories over ranks.
# QBNET_MPI=ON (default) uses MPI when CMake finds it and falls back to a one-process build when it
# does not; -DQBNET_MPI=OFF never looks. Only src/parallel/ includes <mpi.h>: the definition and the
# include path are set on those sources alone, so switching MPI on or off recompiles two files.
option(QBNET_MPI "Spread sweeps, optimisation scans and trajectories over MPI ranks (when MPI is found)" ON)
set(QBNET_HAVE_MPI OFF)
if(QBNET_MPI)
  find_package(MPI COMPONENTS CXX)
  if(MPI_CXX_FOUND)
    set(QBNET_HAVE_MPI ON)
    message(STATUS "qbnet: MPI ${MPI_CXX_VERSION} found (${MPIEXEC_EXECUTABLE}): sweeps run over ranks")
  else()
    message(STATUS "qbnet: MPI not found: one-process build (apt-get install libopenmpi-dev openmpi-bin)")
  endif()
endif()

# Links `target` to MPI and compiles its src/parallel/ sources against <mpi.h>.
function(qbnet_use_mpi target)
  if(NOT QBNET_HAVE_MPI)
    return()
  endif()
  target_link_libraries(${target} PRIVATE $<LINK_ONLY:MPI::MPI_CXX>)
  get_target_property(mpi_includes MPI::MPI_CXX INTERFACE_INCLUDE_DIRECTORIES)
  get_target_property(mpi_options MPI::MPI_CXX INTERFACE_COMPILE_OPTIONS)
  list(TRANSFORM QBNET_PARALLEL_SOURCES PREPEND ${PROJECT_SOURCE_DIR}/ OUTPUT_VARIABLE parallel_sources)
  set_source_files_properties(${parallel_sources} TARGET_DIRECTORY ${target} PROPERTIES
    COMPILE_DEFINITIONS QBNET_WITH_MPI=1)
  if(mpi_includes)
    set_property(SOURCE ${parallel_sources} TARGET_DIRECTORY ${target} APPEND PROPERTY INCLUDE_DIRECTORIES ${mpi_includes})
  endif()
  if(mpi_options)
    set_property(SOURCE ${parallel_sources} TARGET_DIRECTORY ${target} APPEND PROPERTY COMPILE_OPTIONS ${mpi_options})
  endif()
endfunction()
