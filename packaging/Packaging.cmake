# CPack: `cmake --build build --target package` (or `make package` in the build tree) builds a
# .deb that installs graphsqueeze and graphsqueeze-cli, the presets, the bundled datasets, the
# desktop entry, the AppStream metadata and the icon.
install(DIRECTORY "${CMAKE_SOURCE_DIR}/datasets/" DESTINATION share/graphsqueeze/datasets)
install(DIRECTORY "${CMAKE_SOURCE_DIR}/resources/experiments/" DESTINATION share/graphsqueeze/experiments)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/graphsqueeze.desktop" DESTINATION share/applications)
install(FILES "${CMAKE_SOURCE_DIR}/packaging/io.github.graphsqueeze.GraphSqueeze.metainfo.xml" DESTINATION share/metainfo)
install(FILES "${CMAKE_SOURCE_DIR}/resources/icons/graphsqueeze.svg" DESTINATION share/icons/hicolor/scalable/apps)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "graphsqueeze")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "GraphSqueeze developers <dev@graphsqueeze.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libtorch1.13, libopenblas0-openmp, libyaml-cpp0.7, librdkit1, libqt6widgets6, libqt6charts6, libqt6svg6, libqt6sql6-sqlite")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
include(CPack)
