// The HTML chart rendered by a real browser: headless Chromium loads the page
// of a known counterexample, and the test checks the DOM it built (lanes,
// arrows, the lost message, the highlighted anomaly) and that the screenshot
// is a real picture. Skips when Chromium is not installed.
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "idemcheck/io/history_file.hpp"
#include "idemcheck/report/html_chart.hpp"
#include "idemcheck/report/timeline.hpp"
#include "headless_chromium.hpp"

namespace {

namespace fs = std::filesystem;
using namespace idemcheck;
using namespace idemcheck::testing_chromium;

// Without idempotence: the first attempt is written, its ack is lost, the
// request times out, the retry is written again.
const char* kDuplicate = R"({
  "format": "idemcheck-history",
  "version": 1,
  "description": "without idempotence, a retry after a lost ack writes the record twice",
  "world": {"producers": 1, "partitions": 1, "brokers": 1, "producer": {"enable.idempotence": "false"}},
  "events": [
    {"event": "send", "producer": 0, "partition": 0, "records": 1},
    {"event": "drain", "producer": 0, "broker": 0},
    {"event": "deliver-request", "producer": 0, "broker": 0},
    {"event": "lose-response", "producer": 0, "broker": 0},
    {"event": "timeout", "producer": 0, "broker": 0},
    {"event": "tick", "ms": 100},
    {"event": "drain", "producer": 0, "broker": 0},
    {"event": "deliver-request", "producer": 0, "broker": 0},
    {"event": "deliver-response", "producer": 0, "broker": 0}
  ],
  "expect": {"anomalies": ["duplicate"], "spec_impl_agree": true}
})";

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "idemcheck-html-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

// Width and height from a PNG's IHDR chunk, if the file is a PNG.
std::optional<std::pair<std::uint32_t, std::uint32_t>> png_size(const std::string& bytes) {
  if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || bytes.compare(12, 4, "IHDR") != 0) {
    return std::nullopt;
  }
  auto be32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(bytes[at + k]);
    return v;
  };
  return std::make_pair(be32(16), be32(20));
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class HtmlRender : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (!chromium_) GTEST_SKIP() << "chromium is not installed (apt-get install chromium); not rendering the chart";
    ASSERT_FALSE(dir_.path.empty());
    const auto loaded = io::parse_history_file(kDuplicate);
    ASSERT_TRUE(std::holds_alternative<io::LoadedHistory>(loaded));
    const auto& lh = std::get<io::LoadedHistory>(loaded);
    timeline_ = report::build_timeline(lh.history, true);
    page_ = dir_.path / "chart.html";
    std::ofstream(page_) << report::html_chart(timeline_, {"duplicate.json", lh.file.description, lh.file.notes});
  }
  std::optional<std::string> chromium_;
  TempDir dir_;
  report::Timeline timeline_;
  fs::path page_;
};

TEST_F(HtmlRender, BrowserBuildsTheChart) {
  ASSERT_EQ(timeline_.anomalies.size(), 1u);
  const std::string dom = run_capture(chromium_command(*chromium_, dir_.path / "profile-dom", "--dump-dom", page_));
  ASSERT_NE(dom.find("<svg"), std::string::npos) << "no SVG in the DOM Chromium built:\n" << dom.substr(0, 2000);
  EXPECT_EQ(count(dom, "class=\"lane producer-lane\""), 1u);
  EXPECT_EQ(count(dom, "class=\"lane broker-lane\""), 1u);
  EXPECT_EQ(count(dom, "class=\"arrow request"), 2u);                 // the first attempt and the retry
  EXPECT_EQ(count(dom, "class=\"arrow response lost\""), 1u);         // the lost ack
  EXPECT_EQ(count(dom, "class=\"arrow response\""), 1u);              // the ack of the retry
  EXPECT_EQ(count(dom, "class=\"lost-mark\""), 1u);
  EXPECT_EQ(count(dom, "class=\"retry-link\""), 1u);
  EXPECT_EQ(count(dom, "class=\"arrow request violating\""), 2u);     // both writes of the record
  EXPECT_EQ(count(dom, "class=\"log-entry violating\""), 2u);
  EXPECT_EQ(count(dom, "step-row odd first-anomaly"), 1u);  // step 8
  EXPECT_NE(dom.find("duplicate on p0: records A0:0 at offset 0 and A0:0 at offset 1"), std::string::npos);
}

TEST_F(HtmlRender, ScreenshotIsARealPicture) {
  const fs::path png = dir_.path / "chart.png";
  run_capture(chromium_command(*chromium_, dir_.path / "profile-chart", "--screenshot='" + png.string() + "'", page_));
  const std::string bytes = read_bytes(png);
  const auto size = png_size(bytes);
  ASSERT_TRUE(size.has_value()) << "no PNG screenshot at " << png;
  EXPECT_EQ(size->first, 1400u);
  EXPECT_EQ(size->second, 1000u);
  // A blank page of the same size compresses to almost nothing; the chart
  // (text, lanes, arrows, coloured rows) to many times more.
  const fs::path blank_page = dir_.path / "blank.html";
  std::ofstream(blank_page) << "<!DOCTYPE html><html><body></body></html>";
  const fs::path blank_png = dir_.path / "blank.png";
  run_capture(chromium_command(*chromium_, dir_.path / "profile-blank", "--screenshot='" + blank_png.string() + "'",
                               blank_page));
  const std::string blank = read_bytes(blank_png);
  ASSERT_TRUE(png_size(blank).has_value());
  EXPECT_GT(bytes.size(), 5 * blank.size()) << "chart " << bytes.size() << " bytes, blank page " << blank.size();
}

}  // namespace
