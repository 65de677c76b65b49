// Host + WhatsApp plugin + wa-sim as real processes, seen from the provider's side: signed webhooks
// from the simulator are stored exactly once, a forged one is refused with nothing stored, and the
// same phone number on WhatsApp and on another channel is one contact.
#include <Poco/DigestEngine.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>

#include "wa_api_fixture.h"

namespace waapi {
namespace {

// HMACEngine needs the block and digest sizes as members; SHA2Engine does not declare them.
class Sha256 : public Poco::SHA2Engine {
 public:
  enum { BLOCK_SIZE = 64, DIGEST_SIZE = 32 };
  Sha256() : Poco::SHA2Engine(SHA_256) {}
};

// Meta's X-Hub-Signature-256 over the exact body bytes.
std::string meta_signature(const std::string& body) {
  Poco::HMACEngine<Sha256> hmac(kAppSecret);
  hmac.update(body);
  return "sha256=" + Poco::DigestEngine::digestToHex(hmac.digest());
}

// A "messages" delivery for kNumber holding `count` short texts "<prefix>.<i>" from five customers.
std::string delivery_of(int count, const std::string& prefix) {
  std::string messages;
  for (int i = 0; i < count; ++i) {
    messages += std::string(i == 0 ? "" : ",") + R"({"from":"49151000000)" + std::to_string(i % 5) +
                R"(","id":")" + prefix + "." + std::to_string(i) +
                R"(","timestamp":"1700000000","type":"text","text":{"body":"m"}})";
  }
  return std::string(R"({"object":"whatsapp_business_account","entry":[{"id":")") + kWaba +
         R"(","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",)"
         R"("metadata":{"display_phone_number":"15550783881","phone_number_id":")" +
         kNumber + R"("},"messages":[)" + messages + "]}}]}]}";
}

class WhatsAppEndToEnd : public WhatsAppApi {
 protected:
  const std::string webhook_ = "/webhooks/wa-1/";

  Reply post_sim(const std::string& path, const std::string& body) {
    return sim("POST", path, body);
  }

  // Injects a customer's text message at the simulator; returns its wamid.
  std::string inject_text(const std::string& from, const std::string& text) {
    Reply r = post_sim("/_sim/inbound",
                       std::string(R"({"phone_number_id":")") + kNumber + R"(","from":")" + from +
                           R"(","type":"text","name":"Ann","text":{"body":")" + text + R"("}})");
    EXPECT_EQ(r.status, 200) << r.body;
    return str(parse(r.body), "id");
  }

  // POSTs a webhook straight to the host with the given X-Hub-Signature-256 (none when empty).
  Reply post_webhook(const std::string& body, const std::string& signature) {
    Poco::Net::HTTPClientSession session("127.0.0.1", host_port_);
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, webhook_,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    if (!signature.empty()) req.set("X-Hub-Signature-256", signature);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    Reply r;
    Poco::StreamCopier::copyToString(session.receiveResponse(resp), r.body);
    r.status = static_cast<int>(resp.getStatus());
    return r;
  }

  int count_inbound(const std::string& instance) {
    const std::string n = db_->scalar(
        "SELECT COUNT(*) FROM messages WHERE direction = 'in' AND instance_id = ?", instance);
    return n.empty() ? 0 : std::stoi(n);
  }

  // Polls until the instance has `expected` inbound messages or the time is up.
  int wait_inbound(const std::string& instance, int expected) {
    eventually([&] { return count_inbound(instance) >= expected; }, 15s);
    return count_inbound(instance);
  }
};

TEST_F(WhatsAppEndToEnd, VerificationHandshakeSucceedsWithTheConfiguredToken) {
  Reply r = post_sim("/_sim/webhooks/verify", R"({"url":"http://127.0.0.1:)" +
                                                  std::to_string(host_port_) + webhook_ +
                                                  R"(","verify_token":")" + kVerifyToken + R"("})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("verified":true)"), std::string::npos) << r.body;

  Reply wrong = http(host_port_, "GET",
                     webhook_ + "?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42");
  EXPECT_EQ(wrong.status, 403) << wrong.body;
}

TEST_F(WhatsAppEndToEnd, SignedInboundIsStoredWithContactAndConversation) {
  const std::string wamid = inject_text("4915112345678", "Hello from WhatsApp");
  ASSERT_EQ(wait_inbound("wa-1", 1), 1) << host_->err();
  EXPECT_EQ(db_->scalar("SELECT text FROM messages WHERE provider_message_id = ?", wamid),
            "Hello from WhatsApp");
  const std::string contact =
      db_->scalar("SELECT contact_id FROM messages WHERE provider_message_id = ?", wamid);
  ASSERT_FALSE(contact.empty());
  EXPECT_EQ(db_->scalar("SELECT address FROM identities WHERE kind = 'phone' AND contact_id = ?",
                        contact),
            "+4915112345678");
  EXPECT_EQ(db_->scalar("SELECT c.reference FROM conversations c JOIN messages m ON "
                        "m.conversation_id = c.id WHERE m.provider_message_id = ?",
                        wamid)
                .rfind("SB-", 0),
            0u);
}

TEST_F(WhatsAppEndToEnd, ForgedSignatureIsRefusedAndNothingIsStored) {
  const std::string body =
      std::string(R"({"object":"whatsapp_business_account","entry":[{"id":")") + kWaba +
      R"(","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":")" +
      kNumber +
      R"("},"contacts":[{"profile":{"name":"Eve"},"wa_id":"4915100000000"}],"messages":[{"from":"4915100000000","id":"wamid.forged","timestamp":"1700000000","type":"text","text":{"body":"forged"}}]}}]}]})";
  Reply bad =
      post_webhook(body, "sha256=0000000000000000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(bad.status, 401) << bad.body;
  Reply missing = post_webhook(body, "");
  EXPECT_EQ(missing.status, 401) << missing.body;
  EXPECT_EQ(count_inbound("wa-1"), 0);
  EXPECT_EQ(db_->scalar("SELECT COUNT(*) FROM messages WHERE provider_message_id = 'wamid.forged'"),
            "0");
}

TEST_F(WhatsAppEndToEnd, ASignedDeliveryOfOneAndAHalfMiBIsAcceptedAndTheApiKeepsItsOwnLimit) {
  // Meta's deliveries reach 3 MB; the default http.max_body_bytes (1 MiB) used to answer 413.
  const std::string padding(1536 * 1024, 'p');
  const std::string body =
      std::string(R"({"object":"whatsapp_business_account","entry":[{"id":")") + kWaba +
      R"(","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":")" +
      kNumber +
      R"("},"contacts":[{"profile":{"name":"Big"},"wa_id":"4915100000001"}],"messages":[{"from":"4915100000001","id":"wamid.big","timestamp":"1700000000","type":"text","text":{"body":"big delivery"}}],"x_padding":")" +
      padding + R"("}}]}]})";
  Reply r = post_webhook(body, meta_signature(body));
  EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
  ASSERT_EQ(wait_inbound("wa-1", 1), 1) << host_->err();
  EXPECT_EQ(db_->scalar("SELECT text FROM messages WHERE provider_message_id = 'wamid.big'"),
            "big delivery");
  // The REST API still refuses a body above http.max_body_bytes.
  Poco::Net::HTTPClientSession session("127.0.0.1", host_port_);
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/v1/contacts",
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.setContentType("application/json");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::string answer;
  Poco::StreamCopier::copyToString(session.receiveResponse(resp), answer);
  EXPECT_EQ(resp.getStatus(), 413);
  EXPECT_NE(answer.find("payload_too_large"), std::string::npos) << answer;
}

TEST_F(WhatsAppEndToEnd, DuplicatedAndShuffledDeliveriesStoreEachMessageOnce) {
  ASSERT_EQ(post_sim("/_sim/config", R"({"duplicate_probability":1.0,"shuffle":true,)"
                                     R"("shuffle_window_ms":200})")
                .status,
            200);
  constexpr int kMessages = 5;
  for (int i = 0; i < kMessages; ++i) inject_text("4915112345678", "message " + std::to_string(i));
  ASSERT_EQ(wait_inbound("wa-1", kMessages), kMessages);

  // Every message was delivered at least twice, and every delivery was acknowledged.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  int duplicates = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    Reply log = http(sim_port_, "GET", "/_sim/webhooks");
    duplicates = 0;
    for (size_t at = 0; (at = log.body.find(R"("duplicate":true)", at)) != std::string::npos;
         ++at) {
      ++duplicates;
    }
    if (duplicates >= kMessages) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GE(duplicates, kMessages);
  std::this_thread::sleep_for(300ms);  // let any late duplicate land
  EXPECT_EQ(count_inbound("wa-1"), kMessages);
}

TEST_F(WhatsAppEndToEnd, SamePhoneOnWhatsAppAndAnotherChannelIsOneContact) {
  const std::string wamid = inject_text("4915112345678", "first on WhatsApp");
  ASSERT_EQ(wait_inbound("wa-1", 1), 1);
  Reply lb =
      http(host_port_, "POST", "/webhooks/lb-1/inbound",
           R"({"id":"lb-msg-1","from":"+49 151 12345678","text":"then on another channel"})");
  ASSERT_EQ(lb.status, 200) << lb.body;
  const std::string wa_contact =
      db_->scalar("SELECT contact_id FROM messages WHERE provider_message_id = ?", wamid);
  const std::string lb_contact =
      db_->scalar("SELECT contact_id FROM messages WHERE provider_message_id = 'lb-msg-1'");
  ASSERT_FALSE(wa_contact.empty());
  EXPECT_EQ(wa_contact, lb_contact);
  // One conversation per channel instance, both on the one contact's timeline.
  EXPECT_EQ(db_->scalar("SELECT COUNT(*) FROM conversations WHERE contact_id = ?", wa_contact),
            "2");
}

// Issue 8: more messages than the host stores per call (1,000) used to be answered 200 with
// nothing stored. All 2,500 must be in the store when the 200 arrives.
TEST_F(WhatsAppEndToEnd, DeliveryOf2500MessagesIsStoredCompletelyBeforeThe200) {
  const std::string body = delivery_of(2500, "wamid.big");
  ASSERT_LT(body.size(), 1u << 20);  // within the default http.max_body_bytes
  Reply r = post_webhook(body, meta_signature(body));
  ASSERT_EQ(r.status, 200) << r.body << host_->err();
  EXPECT_EQ(parse(r.body)->getValue<int>("stored"), 2500) << r.body;
  EXPECT_EQ(count_inbound("wa-1"), 2500);  // no waiting: stored before the acknowledgement
  Reply again = post_webhook(body, meta_signature(body));  // Meta's redelivery: nothing new
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse(again.body)->getValue<int>("stored"), 0) << again.body;
  EXPECT_EQ(count_inbound("wa-1"), 2500);
}

// While the store cannot write (another writer holds SQLite's write lock past the host's busy
// timeout), the delivery is answered 503, not 200; Meta's redelivery then stores it.
TEST_F(WhatsAppEndToEnd, StoreFailureIsA503AndTheRedeliveryStoresIt) {
  const std::string body = delivery_of(3, "wamid.locked");
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ / "host" / "data" / "switchboard.db").c_str(), &writer,
                            SQLITE_OPEN_READWRITE, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  Reply refused = post_webhook(body, meta_signature(body));
  sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(writer);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(count_inbound("wa-1"), 0);
  Reply stored = post_webhook(body, meta_signature(body));
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(count_inbound("wa-1"), 3);
}

// Issue 8: with core.default_region DE, international digits without '+' ("5511912345678", a
// Brazilian mobile) are that number, not +49 5511912345678; a German national number stays German.
TEST_F(WhatsAppEndToEnd, InternationalDigitsWithoutPlusKeepTheirCountry) {
  Reply br = http(host_port_, "POST", "/webhooks/lb-1/inbound",
                  R"({"id":"lb-br","from":"5511912345678","text":"oi"})");
  ASSERT_EQ(br.status, 200) << br.body;
  Reply de = http(host_port_, "POST", "/webhooks/lb-1/inbound",
                  R"({"id":"lb-de","from":"030 123456","text":"hallo"})");
  ASSERT_EQ(de.status, 200) << de.body;
  auto address_of = [&](const std::string& id) {
    return db_->scalar(
        "SELECT i.address FROM identities i JOIN messages m ON m.contact_id = i.contact_id "
        "WHERE i.kind = 'phone' AND m.provider_message_id = ?",
        id);
  };
  EXPECT_TRUE(eventually([&] { return !address_of("lb-br").empty(); }, 15s));
  EXPECT_EQ(address_of("lb-br"), "+5511912345678");
  EXPECT_TRUE(eventually([&] { return !address_of("lb-de").empty(); }, 15s));
  EXPECT_EQ(address_of("lb-de"), "+4930123456");
}

}  // namespace
}  // namespace waapi
