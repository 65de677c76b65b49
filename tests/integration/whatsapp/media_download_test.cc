// Inbound media end to end: a customer's image and document injected at wa-sim with real bytes,
// stored by the host as attachments with Meta's media ids, and downloaded by an operator through
// GET /v1/messages/{id}/attachments/{index} (host -> plugin -> Graph lookup -> download URL).
#include <Poco/Base64Encoder.h>

#include "wa_api_fixture.h"

namespace waapi {
namespace {

struct Download {
  int status = 0;
  std::string content_type, disposition, length, cache, body;
};

class MediaDownloadTest : public WhatsAppApi {
 protected:
  Download fetch(const std::string& target) {
    Poco::Net::HTTPClientSession session("127.0.0.1", host_port_);
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest req("GET", target, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + admin_);
    session.sendRequest(req);
    Poco::Net::HTTPResponse resp;
    std::istream& in = session.receiveResponse(resp);
    Download d;
    d.status = static_cast<int>(resp.getStatus());
    d.content_type = resp.getContentType();
    d.disposition = resp.get("Content-Disposition", "");
    d.length = resp.get("Content-Length", "");
    d.cache = resp.get("X-Switchboard-Media-Cache", "");
    Poco::StreamCopier::copyToString(in, d.body);
    return d;
  }

  static std::string base64(const std::string& bytes) {
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << bytes;
    enc.close();
    return out.str();
  }

  std::string media_of(const std::string& message_id) {
    return db_->scalar("SELECT provider_media_id FROM attachments WHERE message_id = ?",
                       message_id);
  }

  // DELETE /{media-id} at the simulator, as the business (or Meta's retention) would.
  int delete_at_meta(const std::string& media_id) {
    EXPECT_FALSE(media_id.empty());
    Poco::Net::HTTPClientSession session("127.0.0.1", sim_port_);
    Poco::Net::HTTPRequest del("DELETE", "/v21.0/" + media_id, Poco::Net::HTTPMessage::HTTP_1_1);
    del.set("Authorization", std::string("Bearer ") + kToken);
    session.sendRequest(del);
    Poco::Net::HTTPResponse resp;
    std::string ignored;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), ignored);
    return static_cast<int>(resp.getStatus());
  }

  // Injects an inbound media message; returns the host's message id once it is stored.
  std::string customer_sends(const std::string& type, const std::string& media_json) {
    Reply r = sim("POST", "/_sim/inbound",
                  std::string(R"({"phone_number_id":")") + kNumber +
                      R"(","from":"4915112345678","type":")" + type + R"(",")" + type + R"(":)" +
                      media_json + "}");
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string wamid = str(parse(r.body), "id");
    std::string id;
    EXPECT_TRUE(eventually(
        [&] {
          id = db_->scalar("SELECT id FROM messages WHERE provider_message_id = ?", wamid);
          return !id.empty();
        },
        15s))
        << host_->err();
    return id;
  }
};

TEST_F(MediaDownloadTest, AnInboundImageIsDownloadedByteForByte) {
  std::string bytes("\xFF\xD8\xFF\xE0\0\x10JFIF\0", 11);
  for (int i = 0; i < 70000; ++i) bytes += static_cast<char>((i * 7919) % 256);  // ~70 KB
  bytes += "\xFF\xD9";
  const std::string id =
      customer_sends("image", R"({"caption":"the dent","data_base64":")" + base64(bytes) + "\"}");
  ASSERT_FALSE(id.empty());

  Download d = fetch("/v1/messages/" + id + "/attachments/0");
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.content_type, "image/jpeg");
  EXPECT_EQ(d.length, std::to_string(bytes.size()));
  EXPECT_TRUE(d.body == bytes) << "got " << d.body.size() << " bytes, want " << bytes.size();
  EXPECT_EQ(d.disposition.rfind("attachment; filename=\"image-" + id + "-0.jpg\"", 0), 0u)
      << d.disposition;

  // Only one attachment; wrong indexes are JSON errors.
  Download none = fetch("/v1/messages/" + id + "/attachments/1");
  EXPECT_EQ(none.status, 404);
  EXPECT_NE(none.body.find("\"not_found\""), npos) << none.body;
}

TEST_F(MediaDownloadTest, ADocumentKeepsItsNameAndStaysViewableAfterMetaDropsIt) {
  const std::string pdf = "%PDF-1.4\n% switchboard test\n1 0 obj <<>> endobj\n%%EOF\n";
  const std::string id = customer_sends(
      "document", R"({"mime_type":"application/pdf","filename":"Invoice 7.pdf","data_base64":")" +
                      base64(pdf) + "\"}");
  ASSERT_FALSE(id.empty());
  Download d = fetch("/v1/messages/" + id + "/attachments/0");
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.content_type, "application/pdf");
  EXPECT_EQ(d.body, pdf);
  EXPECT_EQ(d.cache, "miss");
  EXPECT_EQ(d.disposition,
            "attachment; filename=\"Invoice 7.pdf\"; filename*=UTF-8''Invoice%207.pdf");

  // Meta no longer has it; the host's copy (data_dir/media) still serves agents.
  ASSERT_EQ(delete_at_meta(media_of(id)), 200);
  Download again = fetch("/v1/messages/" + id + "/attachments/0");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.cache, "hit");
  EXPECT_EQ(again.body, pdf);
}

TEST_F(MediaDownloadTest, AFileMetaDroppedBeforeAnyoneOpenedItIsABadGateway) {
  const std::string id =
      customer_sends("document", R"({"mime_type":"application/pdf","data_base64":")" +
                                     base64("%PDF-1.4 x") + "\"}");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(delete_at_meta(media_of(id)), 200);
  Download gone = fetch("/v1/messages/" + id + "/attachments/0");
  EXPECT_EQ(gone.status, 502) << gone.body;
  EXPECT_NE(gone.body.find("\"bad_gateway\""), npos) << gone.body;
}

}  // namespace
}  // namespace waapi
