#include "conversations/address.h"

#include <gtest/gtest.h>

namespace sb::conversations {
namespace {

TEST(IdentityFor, PhoneSpellingsAndWhatsAppIdAgreeOnE164) {
  const IdentityKey want{"phone", "+4915112345678"};
  EXPECT_EQ(identity_for("+49 151 12345678", "phone", "sms", "DE"), want);
  EXPECT_EQ(identity_for("015112345678", "phone", "sms", "DE"), want);  // national, region DE
  EXPECT_EQ(identity_for("4915112345678", "whatsapp_id", "wa", ""), want);
  EXPECT_EQ(identity_for("4915112345678", "wa_id", "wa", ""), want);
  EXPECT_EQ(identity_for(" +4915112345678 ", "msisdn", "smpp", ""), want);
}

TEST(IdentityFor, EmailIsLowerCasedAndStripped) {
  const IdentityKey want{"email", "ann@example.org"};
  EXPECT_EQ(identity_for("Ann@Example.ORG", "email", "mail", ""), want);
  EXPECT_EQ(identity_for("Ann Example <ANN@example.org>", "email", "mail", ""), want);
}

TEST(IdentityFor, UnparseableAddressesAreKeptPerInstance) {
  EXPECT_EQ(identity_for("ACME", "phone", "sms-1", "DE"),
            (IdentityKey{"unparsed-phone", "sms-1|ACME"}));
  EXPECT_EQ(identity_for("12ab", "whatsapp_id", "wa", ""),
            (IdentityKey{"unparsed-phone", "wa|12ab"}));
  EXPECT_EQ(identity_for("not-an-address", "email", "mail", ""),
            (IdentityKey{"unparsed-email", "mail|not-an-address"}));
  // A national number without a default region cannot be placed: kept, not guessed.
  EXPECT_EQ(identity_for("015112345678", "phone", "sms", ""),
            (IdentityKey{"unparsed-phone", "sms|015112345678"}));
}

TEST(IdentityFor, ChannelSpecificKindsAreVerbatim) {
  EXPECT_EQ(identity_for("U123abc", "telegram_user", "tg", ""),
            (IdentityKey{"telegram_user", "U123abc"}));
  EXPECT_EQ(identity_for("", "phone", "sms-1", "DE"), (IdentityKey{"unknown-sender", "sms-1"}));
}

TEST(IdentityFor, EmptyKindIsGuessed) {
  EXPECT_EQ(identity_for("Bob@X.org", "", "i", ""), (IdentityKey{"email", "bob@x.org"}));
  EXPECT_EQ(identity_for("+4915112345678", "", "i", ""), (IdentityKey{"phone", "+4915112345678"}));
}

}  // namespace
}  // namespace sb::conversations
