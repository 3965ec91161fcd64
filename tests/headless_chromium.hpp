// Headless Chromium for the tests that check a page as a browser builds it
// (html_render_test, variant_matrix_test): finding the browser on PATH, the
// command line that loads a local page without a network or a profile of the
// user's, and reading what it prints.
#pragma once

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

namespace idemcheck::testing_chromium {

/// The first Chromium-like browser on PATH, if any.
inline std::optional<std::string> find_chromium() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
    std::istringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return std::nullopt;
}

/// The shell command that runs `action` (--dump-dom, --screenshot=FILE) on `page`
/// with its own profile directory, at a fixed window size, within two minutes.
inline std::string chromium_command(const std::string& chromium, const std::filesystem::path& profile,
                                    const std::string& action, const std::filesystem::path& page) {
  return "timeout 120 '" + chromium + "' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync --user-data-dir='" +
         profile.string() + "' " + action + " --window-size=1400,1000 'file://" + page.string() + "' 2>/dev/null";
}

/// What `command` prints on its standard output.
inline std::string run_capture(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

/// How often `needle` occurs in `hay`.
inline std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace idemcheck::testing_chromium
