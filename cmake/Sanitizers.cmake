# QBNET_SANITIZE=ON: AddressSanitizer + UndefinedBehaviorSanitizer on every target (library, CLI,
# tests). Used by `make sanitize` (build folder build-sanitize, RelWithDebInfo-like -O1 -g).
option(QBNET_SANITIZE "Build with -fsanitize=address,undefined" OFF)
if(QBNET_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "QBNET_SANITIZE needs GCC or Clang")
  endif()
  # -fno-sanitize-recover: a UB report fails the test instead of scrolling past.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
  message(STATUS "qbnet: AddressSanitizer + UndefinedBehaviorSanitizer enabled")
endif()
