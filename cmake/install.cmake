# The install rules and the CMake package (find_package(idemcheck)): the
# libraries a conformance-kit user links (the kit's link closure: spec, impl,
# shrinkers, properties), the kit itself (header-only), the public headers of
# all of them, and the idemcheck tool. Every exported target is namespaced
# idemcheck:: with a short name (idemcheck::spec, ...); none carries the
# project's warning flags (they are linked as $<BUILD_INTERFACE:...>).
include(CMakePackageConfigHelpers)

set(IDEMCHECK_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/idemcheck")
set(idemcheck_exported_libraries idemcheck_spec idemcheck_impl idemcheck_shrinkers idemcheck_properties)
foreach(lib IN LISTS idemcheck_exported_libraries)
  string(REPLACE "idemcheck_" "" short "${lib}")
  set_target_properties(${lib} PROPERTIES EXPORT_NAME ${short})
endforeach()

install(TARGETS ${idemcheck_exported_libraries} idemcheck_conformance
  EXPORT idemcheckTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
foreach(dir spec impl shrinkers properties testing)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/idemcheck/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/idemcheck
    FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(TARGETS idemcheck RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(EXPORT idemcheckTargets NAMESPACE idemcheck:: DESTINATION ${IDEMCHECK_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/idemcheckConfig.cmake.in
  ${PROJECT_BINARY_DIR}/idemcheckConfig.cmake INSTALL_DESTINATION ${IDEMCHECK_CMAKE_DIR})
# 0.x: a minor version may change the interfaces.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/idemcheckConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/idemcheckConfig.cmake ${PROJECT_BINARY_DIR}/idemcheckConfigVersion.cmake
  DESTINATION ${IDEMCHECK_CMAKE_DIR})
