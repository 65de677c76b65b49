// Business-initiated conversations in the service: which identity a start reaches (an address
// normalised like an inbound sender's, or a contact's best address for the instance), which
// conversation it joins, and that a later inbound message from the customer joins the same one.
#include "fixture.h"

namespace sb::conversations::testing {
namespace {

class StartTest : public ModelTest {};

TEST_F(StartTest, ANewAddressCreatesOneContactWithTheNormalisedIdentity) {
  auto plan = service_->plan_start({"0151 2345 6789", "", 0, ""}, "wa1");
  ASSERT_TRUE(plan.is_ok()) << plan.status().message();
  EXPECT_EQ(plan->identity, (IdentityKey{"phone", "+4915123456789"}));
  EXPECT_EQ(plan->contact_id, 0);
  EXPECT_FALSE(plan->conversation.has_value());
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM contacts"), 0) << "planning writes nothing";

  auto started = service_->start_conversation(plan->identity, "wa1", "Ann");
  ASSERT_TRUE(started.is_ok()) << started.status().message();
  EXPECT_TRUE(started->new_contact);
  EXPECT_TRUE(started->new_conversation);
  EXPECT_EQ(started->conversation.instance_id, "wa1");
  EXPECT_EQ(started->conversation.status, store::ConversationStatus::kOpen);
  EXPECT_FALSE(started->conversation.reference.empty());
  auto contact = service_->contact(started->conversation.contact_id);
  ASSERT_TRUE(contact.is_ok() && contact->has_value());
  EXPECT_EQ((*contact)->display_name, "Ann");

  // The customer answers over WhatsApp (wa_id digits): the same contact and conversation.
  auto reply = ingest(msg("wa1", "w1", "4915123456789", "wa_id", "ok"));
  EXPECT_FALSE(reply.resolution.new_contact);
  EXPECT_EQ(reply.resolution.conversation_id, started->conversation.id);

  // Starting again joins it; on another instance it is the same contact, a new conversation.
  auto again = service_->start_conversation(plan->identity, "wa1");
  ASSERT_TRUE(again.is_ok());
  EXPECT_FALSE(again->new_contact);
  EXPECT_FALSE(again->new_conversation);
  EXPECT_EQ(again->conversation.id, started->conversation.id);
  auto sms = service_->start_conversation(plan->identity, "sms1");
  ASSERT_TRUE(sms.is_ok());
  EXPECT_TRUE(sms->new_conversation);
  EXPECT_EQ(sms->conversation.contact_id, started->conversation.contact_id);
  EXPECT_EQ(sql_int("SELECT COUNT(*) FROM contacts"), 1);
}

TEST_F(StartTest, AResolvedConversationIsNotJoinedAPendingOneIs) {
  auto first = ingest(msg("wa1", "m1", "+4915111111111", "phone"));
  ASSERT_TRUE(
      service_->set_status(first.resolution.conversation_id, store::ConversationStatus::kPending)
          .is_ok());
  auto plan = service_->plan_start({"+4915111111111", "phone", 0, ""}, "wa1");
  ASSERT_TRUE(plan.is_ok());
  EXPECT_EQ(plan->contact_id, first.resolution.contact_id);
  ASSERT_TRUE(plan->conversation.has_value());
  EXPECT_EQ(plan->conversation->id, first.resolution.conversation_id);
  auto joined = service_->start_conversation(plan->identity, "wa1");
  ASSERT_TRUE(joined.is_ok());
  EXPECT_EQ(joined->conversation.id, first.resolution.conversation_id);

  ASSERT_TRUE(
      service_->set_status(first.resolution.conversation_id, store::ConversationStatus::kResolved)
          .is_ok());
  plan = service_->plan_start({"+4915111111111", "phone", 0, ""}, "wa1");
  ASSERT_TRUE(plan.is_ok());
  EXPECT_FALSE(plan->conversation.has_value());
  auto fresh = service_->start_conversation(plan->identity, "wa1");
  ASSERT_TRUE(fresh.is_ok());
  EXPECT_TRUE(fresh->new_conversation);
  EXPECT_NE(fresh->conversation.id, first.resolution.conversation_id);
  EXPECT_NE(fresh->conversation.reference, first.resolution.reference);
}

TEST_F(StartTest, AContactIsReachedAtItsAddressOnTheInstanceElsePhoneElseEmail) {
  // One contact with an e-mail address (seen on mail1) and a phone number (seen on sms1).
  auto mail = ingest(msg("mail1", "e1", "Ann@Example.com", "email"));
  auto phone = ingest(msg("sms1", "s1", "+4915111111111", "phone"));
  auto merged = service_->merge(mail.resolution.contact_id, phone.resolution.contact_id, "sue", "");
  ASSERT_TRUE(merged.is_ok()) << merged.status().message();
  const int64_t ann = mail.resolution.contact_id;

  auto on_mail = service_->plan_start({"", "", ann, ""}, "mail1");
  ASSERT_TRUE(on_mail.is_ok());
  EXPECT_EQ(on_mail->identity, (IdentityKey{"email", "ann@example.com"}));
  EXPECT_TRUE(on_mail->conversation.has_value());
  // A new channel: the phone number outranks the e-mail address.
  auto on_wa = service_->plan_start({"", "", ann, ""}, "wa1");
  ASSERT_TRUE(on_wa.is_ok());
  EXPECT_EQ(on_wa->identity, (IdentityKey{"phone", "+4915111111111"}));
  EXPECT_FALSE(on_wa->conversation.has_value());
  // The merged-away contact's id leads to the survivor.
  auto via_merged = service_->plan_start({"", "", phone.resolution.contact_id, ""}, "wa1");
  ASSERT_TRUE(via_merged.is_ok());
  EXPECT_EQ(via_merged->contact_id, ann);

  // Only an unparseable sender: nothing to reach.
  auto acme = ingest(msg("sms1", "s2", "ACME", "phone"));
  auto none = service_->plan_start({"", "", acme.resolution.contact_id, ""}, "wa1");
  EXPECT_EQ(none.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(service_->plan_start({"", "", 987654, ""}, "wa1").status().code(), Code::kNotFound);
  EXPECT_EQ(service_->plan_start({"ACME", "", 0, ""}, "wa1").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(service_->plan_start({"not-an-address@", "email", 0, ""}, "wa1").status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace sb::conversations::testing
