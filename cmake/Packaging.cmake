include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
install(TARGETS qbnet EXPORT qbnetTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS qbnet_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/qbnet DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT qbnetTargets NAMESPACE qbnet:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/qbnet)
configure_package_config_file(${CMAKE_CURRENT_SOURCE_DIR}/cmake/qbnetConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/qbnetConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/qbnet)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/qbnetConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/qbnetConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/qbnetConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/qbnet)
