# CPack: `cmake --build build --target package` (or `make package` in the build tree) builds a
# .deb that installs graphsqueeze-cli, the presets and the bundled datasets.
install(DIRECTORY "${CMAKE_SOURCE_DIR}/datasets/" DESTINATION share/graphsqueeze/datasets)
install(DIRECTORY "${CMAKE_SOURCE_DIR}/resources/experiments/" DESTINATION share/graphsqueeze/experiments)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "graphsqueeze")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "GraphSqueeze developers <dev@graphsqueeze.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libtorch1.13, libopenblas0-openmp, libyaml-cpp0.7, librdkit1")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
include(CPack)
