# Finds RDKit's C++ libraries (Debian's librdkit-dev ships no CMake config).
# Defines the imported target RDKit::RDKit and RDKit_FOUND.
find_path(RDKit_INCLUDE_DIR GraphMol/GraphMol.h PATH_SUFFIXES rdkit)
set(_rdkit_components SmilesParse ChemTransforms GraphMol RDGeneral DataStructs RDGeometryLib SubstructMatch)
set(RDKit_LIBRARIES "")
foreach(_c IN LISTS _rdkit_components)
  find_library(RDKit_${_c}_LIBRARY NAMES RDKit${_c})
  if(RDKit_${_c}_LIBRARY)
    list(APPEND RDKit_LIBRARIES "${RDKit_${_c}_LIBRARY}")
  endif()
  list(APPEND _rdkit_required RDKit_${_c}_LIBRARY)
endforeach()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(RDKit REQUIRED_VARS RDKit_INCLUDE_DIR ${_rdkit_required})
if(RDKit_FOUND AND NOT TARGET RDKit::RDKit)
  add_library(RDKit::RDKit INTERFACE IMPORTED)
  set_target_properties(RDKit::RDKit PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${RDKit_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${RDKit_LIBRARIES}")
endif()
mark_as_advanced(RDKit_INCLUDE_DIR)
