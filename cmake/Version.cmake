# Version and git commit compiled into the library (qbnet --version, provenance in summary.json).
# The commit is read at configure time and again at every build (a custom target rewrites the header
# only when the commit changes), so a rebuilt checkout never reports a stale commit.
set(QBNET_VERSION_HEADER_DIR ${CMAKE_BINARY_DIR}/generated)
set(QBNET_VERSION_HEADER ${QBNET_VERSION_HEADER_DIR}/qbnet/version_info.hpp)
add_custom_target(qbnet_version_header
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUTPUT=${QBNET_VERSION_HEADER}
          -DVERSION=${PROJECT_VERSION} -P ${CMAKE_SOURCE_DIR}/cmake/WriteVersion.cmake
  BYPRODUCTS ${QBNET_VERSION_HEADER}
  COMMENT "qbnet version header")
execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUTPUT=${QBNET_VERSION_HEADER}
                -DVERSION=${PROJECT_VERSION} -P ${CMAKE_SOURCE_DIR}/cmake/WriteVersion.cmake)
