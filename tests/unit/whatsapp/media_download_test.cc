// op media_download: Graph GET /{media-id}, then the download URL with the Bearer token; the
// announced type and size checked before fetching, size, Content-Type and SHA-256 after; answers
// as base64 in JSON or as "<JSON header>\n<bytes>" (format "binary", what the host's attachment
// route uses).
#include "media.hpp"
#include "wa_fixture.hpp"

namespace watest {
namespace {

constexpr const char* kMedia = "1037543291543636";
const std::string kBytes("\x89PNG\r\n\x1a\n\0\xff\x01 binary \n tail", 24);

class WaMediaDownload : public WhatsApp {
 protected:
  void SetUp() override {
    WhatsApp::SetUp();
    fake.set_http_handler([this](const HttpCall& c) {
      if (c.url.rfind(download_url, 0) == 0) {
        ++downloads;
        download_headers = c.headers;
        return download;
      }
      return route(c);
    });
    download = HttpReply{200, {{"Content-Type", "image/png"}}, kBytes, SB_OK, {}};
    lookup(R"("image/png")", "\"" + wa::sha256_hex(kBytes) + "\"", "\"24\"");
  }

  void lookup(const std::string& mime, const std::string& sha, const std::string& size,
              const std::string& url = "") {
    on("GET", std::string("/") + kMedia, 200,
       R"({"messaging_product":"whatsapp","url":")" + (url.empty() ? download_url : url) +
           R"(?ext=1&hash=x","mime_type":)" + mime + R"(,"sha256":)" + sha + R"(,"file_size":)" +
           size + R"(,"id":")" + kMedia + R"("})");
  }

  sw::testing::InvokeOutcome get(const std::string& extra = "") {
    return fake.invoke("media_download",
                       std::string(R"({"media_id":")") + kMedia + "\"" + extra + "}");
  }

  std::string download_url = std::string(kBase) + "/_media/" + kMedia;
  HttpReply download;
  int downloads = 0;
  std::string download_headers;
};

TEST_F(WaMediaDownload, JsonAnswerCarriesTheBytesBase64) {
  auto r = get();
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  json::Value out = parse(r.json);
  EXPECT_EQ(out.find("mime_type")->as_string(), "image/png");
  EXPECT_EQ(out.find("file_size")->as_int(), 24);
  EXPECT_EQ(out.find("sha256")->as_string(), wa::sha256_hex(kBytes));
  EXPECT_EQ(wa::base64_decode(out.find("data_base64")->as_string()).value_or(""), kBytes);
  EXPECT_EQ(downloads, 1);
  EXPECT_NE(download_headers.find(std::string("Authorization: Bearer ") + kToken),
            std::string::npos);
}

TEST_F(WaMediaDownload, BinaryAnswerIsAHeaderLineThenTheExactBytes) {
  auto r = get(R"(,"format":"binary")");
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  const size_t nl = r.json.find('\n');
  ASSERT_NE(nl, std::string::npos);
  json::Value head = parse(r.json.substr(0, nl));
  EXPECT_EQ(head.find("mime_type")->as_string(), "image/png");
  EXPECT_EQ(head.find("file_size")->as_int(), 24);
  EXPECT_EQ(head.find("data_base64"), nullptr);
  EXPECT_EQ(r.json.substr(nl + 1), kBytes);
}

TEST_F(WaMediaDownload, MimeParametersAreDroppedAndNumericSizesAccepted) {
  lookup(R"("audio/ogg; codecs=opus")", "\"" + wa::sha256_hex(kBytes) + "\"", "24");
  download.headers = {{"Content-Type", "audio/ogg"}};
  auto r = get();
  ASSERT_EQ(r.status, SB_OK) << r.error.message;
  EXPECT_EQ(parse(r.json).find("mime_type")->as_string(), "audio/ogg");
}

TEST_F(WaMediaDownload, TooLargeIsRefusedBeforeDownloading) {
  lookup(R"("image/png")", R"("")", std::to_string(6 * 1024 * 1024));  // images: 5 MB
  EXPECT_EQ(get().status, SB_ERR_REJECTED);
  lookup(R"("image/png")", R"("")", "24");
  EXPECT_EQ(get(R"(,"max_bytes":10)").status, SB_ERR_REJECTED);  // the host's own cap
  EXPECT_EQ(downloads, 0);  // both refused on the announced size
  EXPECT_EQ(get(R"(,"max_bytes":0)").status, SB_ERR_INVALID_ARG);
}

TEST_F(WaMediaDownload, DownloadMustMatchTheAnnouncement) {
  lookup(R"("image/png")", "\"" + std::string(64, '0') + "\"", "24");
  auto bad_hash = get();
  EXPECT_EQ(bad_hash.status, SB_ERR_TRANSIENT);
  EXPECT_NE(bad_hash.error.message.find("SHA-256"), std::string::npos);

  lookup(R"("image/png")", "\"" + wa::sha256_hex(kBytes) + "\"", "24");
  download.headers = {{"Content-Type", "text/html"}};
  EXPECT_EQ(get().status, SB_ERR_REJECTED);
  download.headers = {{"Content-Type", "application/octet-stream"}};
  EXPECT_EQ(get().status, SB_OK);
}

TEST_F(WaMediaDownload, BadTypesUrlsAndIdsAreRefused) {
  EXPECT_EQ(fake.invoke("media_download", R"({"media_id":"../x"})").status, SB_ERR_INVALID_ARG);
  EXPECT_EQ(get(R"(,"format":"xml")").status, SB_ERR_INVALID_ARG);
  lookup(R"("text/html\r\nX-Evil: 1")", R"("")", "24");
  EXPECT_EQ(get().status, SB_ERR_REJECTED);
  // The token never goes to a plain-HTTP host other than the configured Graph host.
  lookup(R"("image/png")", R"("")", "24", "http://203.0.113.9/steal");
  EXPECT_EQ(get().status, SB_ERR_REJECTED);
  EXPECT_EQ(downloads, 0);
  EXPECT_TRUE(calls_to("/steal").empty());
}

TEST_F(WaMediaDownload, ProviderFailuresMapToSdkErrors) {
  on("GET", std::string("/") + kMedia, 400, graph_error(100, "Invalid parameter"));
  EXPECT_LT(get().status, 0);
  lookup(R"("image/png")", R"("")", "24");
  download = HttpReply{404, {}, "Not Found", SB_OK, {}};
  EXPECT_EQ(get().status, SB_ERR_NOT_FOUND);
  download = HttpReply{503, {}, "", SB_OK, {}};
  EXPECT_EQ(get().status, SB_ERR_TRANSIENT);
  download = HttpReply{401, {}, "", SB_OK, {}};
  EXPECT_EQ(get().status, SB_ERR_AUTH);
  download = HttpReply{0, {}, "", SB_ERR_TIMEOUT, "timed out"};
  EXPECT_EQ(get().status, SB_ERR_TIMEOUT);
}

TEST(WaMediaHelpers, Base64RoundTripsAndMimeTypesAreStrict) {
  for (std::string s :
       {std::string(), std::string("a"), std::string("ab"), std::string("abc"), kBytes}) {
    EXPECT_EQ(wa::base64_decode(wa::base64_encode(s)).value_or("x"), s);
  }
  EXPECT_EQ(wa::base64_encode("hi"), "aGk=");
  EXPECT_EQ(wa::base_mime_type(" Image/PNG ; q=1").value_or(""), "image/png");
  EXPECT_FALSE(wa::base_mime_type("image"));
  EXPECT_FALSE(wa::base_mime_type("image/png\r\nX: y"));
  EXPECT_FALSE(wa::base_mime_type("a/b/c"));
  EXPECT_EQ(wa::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace watest
