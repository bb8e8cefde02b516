{
  "targets": [
    {
      "target_name": "tcp_keepalive",
      "sources": [
        "src-native/addon.cc",
        "src-native/addon_js.cc",
        "src-native/addon_lookup.cc",
        "src-native/keepalive_core.cc",
        "src-native/socket_lookup_uv.cc"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "src-native/sockopt_posix.cc",
            "src-native/socket_identity_posix.cc",
            "src-native/diag_linux.cc"
          ]
        }],
        ["OS=='mac'", {
          "sources": ["src-native/sockopt_posix.cc", "src-native/socket_identity_posix.cc"],
          "xcode_settings": {"CLANG_CXX_LANGUAGE_STANDARD": "c++17", "MACOSX_DEPLOYMENT_TARGET": "10.15"}
        }],
        ["OS=='freebsd'", {
          "sources": ["src-native/sockopt_posix.cc", "src-native/socket_identity_posix.cc"]
        }],
        ["OS=='win'", {
          "sources": ["src-native/sockopt_win.cc", "src-native/socket_identity_win.cc"],
          "defines": ["_WIN32_WINNT=0x0A00", "WIN32_LEAN_AND_MEAN", "NOMINMAX"],
          "libraries": ["ws2_32.lib"],
          "msvs_settings": {"VCCLCompilerTool": {"AdditionalOptions": ["/std:c++17"]}}
        }]
      ]
    }
  ]
}
