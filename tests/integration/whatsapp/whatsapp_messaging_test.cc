// What an agent does in a WhatsApp conversation, end to end through the REST API against the real
// wa-sim: rich sends (media by link and by upload, interactive buttons and lists, reactions,
// replies quoting the customer) and marking the conversation read, which the customer sees as
// blue ticks (wa-sim's GET /_sim/inbound shows the business's read receipts).
#include <string>
#include <vector>

#include "wa_api_fixture.h"

namespace waapi {
namespace {

constexpr const char* kCustomer = "4915112345678";

JsonPtr sub(const JsonPtr& o, const std::string& key) {
  if (o && o->has(key) && !o->isNull(key)) {
    if (auto v = o->getObject(key)) return v;
  }
  return new Poco::JSON::Object;
}

class WhatsAppMessagingTest : public WhatsAppApi {
 protected:
  // Sends and waits until wa-sim accepted it; the request wa-sim received.
  JsonPtr send_and_capture(const std::string& conversation, const std::string& body,
                           const std::string& key) {
    const std::string id = send(conversation, body, key);
    EXPECT_FALSE(id.empty());
    const std::string status = wait_status(id, "sent delivered read failed");
    EXPECT_NE(status, "failed") << api("GET", "/v1/messages/" + id).body;
    const std::string wamid = str(message(id), "provider_message_id");
    EXPECT_FALSE(wamid.empty()) << api("GET", "/v1/messages/" + id).body;
    JsonPtr all = parse(sim("GET", "/_sim/messages").body);
    auto data = all->getArray("data");
    for (size_t i = 0; data && i < data->size(); ++i) {
      JsonPtr m = data->getObject(static_cast<unsigned>(i));
      if (str(m, "id") == wamid) return sub(m, "request");
    }
    ADD_FAILURE() << "wa-sim has no send " << wamid;
    return new Poco::JSON::Object;
  }

  // wa-sim's view of an inbound message: {"read","read_requests",...}.
  JsonPtr sim_inbound(const std::string& wamid) {
    JsonPtr all = parse(sim("GET", "/_sim/inbound").body);
    auto data = all->getArray("data");
    for (size_t i = 0; data && i < data->size(); ++i) {
      JsonPtr m = data->getObject(static_cast<unsigned>(i));
      if (str(m, "id") == wamid) return m;
    }
    return new Poco::JSON::Object;
  }

  JsonPtr conversation(const std::string& id) {
    Reply r = api("GET", "/v1/conversations/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r.body);
  }
};

}  // namespace

TEST_F(WhatsAppMessagingTest, SendsMediaByLinkAndByUpload) {
  const std::string conv = customer_writes(kCustomer, "Please send the invoice");
  ASSERT_FALSE(conv.empty());

  JsonPtr image = send_and_capture(conv, R"({"content_type":"image","payload":{
      "link":"https://example.com/shrub.jpg","caption":"Your shrub"}})",
                                   "img-1");
  EXPECT_EQ(str(image, "type"), "image");
  EXPECT_EQ(str(image, "to"), "+" + std::string(kCustomer));
  EXPECT_EQ(str(sub(image, "image"), "link"), "https://example.com/shrub.jpg");
  EXPECT_EQ(str(sub(image, "image"), "caption"), "Your shrub");

  JsonPtr doc = send_and_capture(conv, R"({"content_type":"document","payload":{
      "link":"https://example.com/inv.pdf","filename":"invoice-4711.pdf","caption":"Invoice"}})",
                                 "doc-1");
  EXPECT_EQ(str(doc, "type"), "document");
  EXPECT_EQ(str(sub(doc, "document"), "link"), "https://example.com/inv.pdf");
  EXPECT_EQ(str(sub(doc, "document"), "filename"), "invoice-4711.pdf");

  // An agent uploads the bytes through the REST API, then sends them by media id.
  const std::string agent = make_token("agent", "ann-agent");
  const std::string pdf = "%PDF-1.4 a tiny invoice";
  Poco::Net::HTTPClientSession session("127.0.0.1", host_port_);
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest req("POST", "/v1/channels/wa-1/media?filename=receipt.pdf",
                             Poco::Net::HTTPMessage::HTTP_1_1);
  req.set("Authorization", "Bearer " + agent);
  req.setContentType("application/pdf");
  req.setContentLength(static_cast<std::streamsize>(pdf.size()));
  session.sendRequest(req) << pdf;
  Poco::Net::HTTPResponse resp;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(resp), body);
  ASSERT_EQ(static_cast<int>(resp.getStatus()), 201) << body;
  const std::string media_id = str(parse(body), "media_id");
  ASSERT_FALSE(media_id.empty()) << body;
  EXPECT_EQ(parse(body)->getValue<int64_t>("bytes"), static_cast<int64_t>(pdf.size()));
  // wa-sim stored exactly those bytes under that id.
  JsonPtr media = parse(sim("GET", "/v21.0/" + media_id + "?access_token=" + kToken).body);
  EXPECT_EQ(str(media, "mime_type"), "application/pdf") << media_id;
  EXPECT_EQ(media->getValue<int64_t>("file_size"), static_cast<int64_t>(pdf.size()));

  JsonPtr uploaded = send_and_capture(conv, R"({"content_type":"document","payload":{
      "media_id":")" + media_id + R"(","filename":"receipt.pdf"}})",
                                      "doc-2");
  EXPECT_EQ(str(sub(uploaded, "document"), "id"), media_id);
  EXPECT_EQ(str(sub(uploaded, "document"), "link"), "");

  // Without a file type WhatsApp accepts, the upload is refused with the channel's reason.
  Reply refused = http(host_port_, "POST", "/v1/channels/wa-1/media", "{}", agent);
  EXPECT_EQ(refused.status, 400) << refused.body;
}

TEST_F(WhatsAppMessagingTest, SendsInteractiveButtonsAndLists) {
  const std::string conv = customer_writes(kCustomer, "What can I do?");
  ASSERT_FALSE(conv.empty());
  JsonPtr buttons = send_and_capture(conv, R"({"content_type":"interactive","payload":{
      "type":"button","body":{"text":"Reschedule the delivery?"},
      "action":{"buttons":[{"type":"reply","reply":{"id":"yes","title":"Yes"}},
                           {"type":"reply","reply":{"id":"no","title":"No"}}]}}})",
                                     "btn-1");
  EXPECT_EQ(str(buttons, "type"), "interactive");
  JsonPtr inter = sub(buttons, "interactive");
  EXPECT_EQ(str(inter, "type"), "button");
  auto list = sub(inter, "action")->getArray("buttons");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(str(sub(list->getObject(1), "reply"), "id"), "no");

  JsonPtr menu = send_and_capture(conv, R"({"content_type":"interactive","payload":{
      "type":"list","body":{"text":"Pick a slot"},"action":{"button":"Slots","sections":[
      {"title":"Monday","rows":[{"id":"mon-am","title":"Morning"},{"id":"mon-pm","title":"Afternoon"}]},
      {"title":"Tuesday","rows":[{"id":"tue-am","title":"Morning"}]}]}}})",
                                  "list-1");
  JsonPtr action = sub(sub(menu, "interactive"), "action");
  EXPECT_EQ(str(sub(menu, "interactive"), "type"), "list");
  EXPECT_EQ(str(action, "button"), "Slots");
  ASSERT_TRUE(action->getArray("sections"));
  EXPECT_EQ(action->getArray("sections")->size(), 2u);

  // Four buttons is more than WhatsApp allows: refused before it reaches Meta.
  const std::string too_many = send(conv, R"({"content_type":"interactive","payload":{
      "type":"button","body":{"text":"?"},"action":{"buttons":[
      {"type":"reply","reply":{"id":"a","title":"A"}},{"type":"reply","reply":{"id":"b","title":"B"}},
      {"type":"reply","reply":{"id":"c","title":"C"}},{"type":"reply","reply":{"id":"d","title":"D"}}]}}})",
                                    "btn-4");
  EXPECT_EQ(wait_status(too_many, "failed"), "failed");
  EXPECT_TRUE(sim_sends(R"("id":"d")").empty());
}

TEST_F(WhatsAppMessagingTest, ReactsAndRepliesQuotingTheCustomer) {
  std::string wamid;
  const std::string conv = customer_writes(kCustomer, "Is my order late?", kNumber, &wamid);
  ASSERT_FALSE(conv.empty());
  const std::string inbound = host_id_of(wamid);
  ASSERT_FALSE(inbound.empty());

  JsonPtr reaction = send_and_capture(
      conv, R"({"content_type":"reaction","reply_to":)" + inbound + R"(,"payload":{"emoji":"👍"}})",
      "react-1");
  EXPECT_EQ(str(reaction, "type"), "reaction");
  EXPECT_EQ(str(sub(reaction, "reaction"), "message_id"), wamid);
  EXPECT_EQ(str(sub(reaction, "reaction"), "emoji"), "👍");

  const std::string reply_id = send(
      conv, R"({"text":"It left the depot this morning.","reply_to":)" + inbound + "}", "reply-1");
  ASSERT_FALSE(reply_id.empty());
  EXPECT_EQ(str(message(reply_id), "reply_to_provider_id"), wamid);
  ASSERT_NE(wait_status(reply_id, "sent delivered read failed"), "failed");
  std::vector<JsonPtr> sent = sim_sends("It left the depot");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(str(sub(sub(sent[0], "request"), "context"), "message_id"), wamid);

  // Only messages of this conversation can be quoted, and only once the provider knows them.
  Reply bad = api("POST", "/v1/conversations/" + conv + "/messages",
                  R"({"text":"x","reply_to":999999})", "reply-bad");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find(R"("field":"reply_to")"), npos) << bad.body;
}

TEST_F(WhatsAppMessagingTest, MarkingReadSendsOneReceiptAndClearsTheUnreadCount) {
  std::string first, second;
  const std::string conv = customer_writes(kCustomer, "Hello?", kNumber, &first);
  ASSERT_EQ(customer_writes(kCustomer, "Anyone there?", kNumber, &second), conv);
  JsonPtr before = conversation(conv);
  EXPECT_EQ(before->getValue<int64_t>("unread_count"), 2);
  EXPECT_TRUE(before->isNull("read"));
  EXPECT_FALSE(sim_inbound(second)->getValue<bool>("read"));

  Reply r = api("POST", "/v1/conversations/" + conv + "/read", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  JsonPtr after = parse(r.body);
  EXPECT_EQ(str(sub(after, "receipt"), "status"), "sent") << r.body;
  EXPECT_EQ(after->getValue<int64_t>("unread_count"), 0);
  EXPECT_EQ(str(sub(after, "read"), "read_by"), "e2e-admin");
  EXPECT_EQ(std::to_string(sub(after, "read")->getValue<int64_t>("last_read_message_id")),
            host_id_of(second));

  // Meta's semantics: marking the latest read reads the earlier one too; one call was made.
  JsonPtr seen = sim_inbound(second);
  EXPECT_TRUE(seen->getValue<bool>("read")) << sim("GET", "/_sim/inbound").body;
  EXPECT_EQ(seen->getValue<int>("read_requests"), 1);
  EXPECT_TRUE(sim_inbound(first)->getValue<bool>("read"));
  EXPECT_EQ(sim_inbound(first)->getValue<int>("read_requests"), 0);

  // Reading again sends nothing new.
  Reply again = api("POST", "/v1/conversations/" + conv + "/read", "");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(str(sub(parse(again.body), "receipt"), "status"), "already_sent");
  EXPECT_EQ(sim_inbound(second)->getValue<int>("read_requests"), 1);
  EXPECT_EQ(db_->scalar("SELECT COUNT(*) FROM events WHERE type = 'conversation.read'"), "1");
  EXPECT_NE(db_->scalar("SELECT data_json FROM events WHERE type = 'conversation.read'")
                .find(R"("receipt":"sent")"),
            npos);

  // A new message is unread until the next read, which receipts only that one.
  std::string third;
  ASSERT_EQ(customer_writes(kCustomer, "Hello again", kNumber, &third), conv);
  EXPECT_EQ(conversation(conv)->getValue<int64_t>("unread_count"), 1);
  ASSERT_EQ(api("POST", "/v1/conversations/" + conv + "/read", "{}").status, 200);
  EXPECT_EQ(sim_inbound(third)->getValue<int>("read_requests"), 1);
  EXPECT_EQ(sim_inbound(second)->getValue<int>("read_requests"), 1);
  EXPECT_EQ(conversation(conv)->getValue<int64_t>("unread_count"), 0);
  // Messages the host wrote are not inbound ones to be read.
  Reply wrong = api("POST", "/v1/conversations/" + conv + "/read", R"({"message_id":999999})");
  EXPECT_EQ(wrong.status, 400) << wrong.body;
}

}  // namespace waapi
