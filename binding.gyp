# Install-time fallback build (node-gyp-build runs it when no prebuild matches). The source list comes from
# tools/sources.cjs, the same list CMakeLists.txt reads. AVX2 code is compiled per function (target pragmas in the
# kernels' avx2.cc files), so no file needs its own flags and the binary runs on any x86-64.
{
  "targets": [
    {
      "target_name": "simdnet",
      "sources": ["<!@(node tools/sources.cjs addon)"],
      "include_dirs": ["native/src"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-O3", "-fvisibility=hidden"],
      "ldflags": ["-pthread"],
      "xcode_settings": { "CLANG_CXX_LANGUAGE_STANDARD": "c++17", "GCC_OPTIMIZATION_LEVEL": "3" },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17"] } }
    }
  ]
}
