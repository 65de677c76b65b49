#include "routing/text.h"

#include <gtest/gtest.h>

namespace sb::routing {
namespace {

TEST(Keywords, WholeWordsCaseInsensitive) {
  EXPECT_TRUE(contains_keyword("I want a REFUND!", "refund"));
  EXPECT_TRUE(contains_keyword("refund", "Refund"));
  EXPECT_FALSE(contains_keyword("refunds are slow", "refund"));
  EXPECT_FALSE(contains_keyword("prerefund", "refund"));
  EXPECT_TRUE(contains_keyword("where is my order, please", "my order"));
  EXPECT_FALSE(contains_keyword("where is my orders", "my order"));
  EXPECT_FALSE(contains_keyword("anything", ""));
  // Non-ASCII letters are part of words: "bar" is not found inside "bär".
  EXPECT_FALSE(contains_keyword("der b\xc3\xa4r", "b"));
  EXPECT_TRUE(contains_keyword("K\xc3\xbcndigung bitte", "K\xc3\xbcndigung"));
  // A later occurrence counts when the first is inside a word.
  EXPECT_TRUE(contains_keyword("refunds and a refund", "refund"));
}

TEST(Language, GuessesFromFunctionWords) {
  EXPECT_EQ(guess_language("Hallo, ich habe eine Frage zu meiner Rechnung und bitte um Hilfe"),
            "de");
  EXPECT_EQ(guess_language("Hi, I have a question about the invoice, can you help?"), "en");
  EXPECT_EQ(guess_language("Bonjour, je ne trouve pas ma commande, merci"), "fr");
  EXPECT_EQ(guess_language("Hola, gracias por la ayuda con mi pedido"), "es");
  EXPECT_EQ(guess_language("ok"), "");
  EXPECT_EQ(guess_language(""), "");
  EXPECT_TRUE(same_language("de-AT", "DE"));
  EXPECT_FALSE(same_language("", "de"));
  EXPECT_FALSE(same_language("nl", "de"));
}

TEST(Render, FillsKnownPlaceholdersAndLeavesOthers) {
  Placeholders v{{"contact.name", "Ada"}, {"conversation.reference", "SB-7K3Q9X"}};
  EXPECT_EQ(render("Hi {{contact.name}}, ref {{ conversation.reference }}.", v),
            "Hi Ada, ref SB-7K3Q9X.");
  EXPECT_EQ(render("{{unknown}} and {{contact.name}}", v), "{{unknown}} and Ada");
  EXPECT_EQ(render("dangling {{contact.name", v), "dangling {{contact.name");
  EXPECT_EQ(render("no placeholders", v), "no placeholders");
}

TEST(Render, ValuesAreNeverExpandedAgain) {
  Placeholders v{{"contact.name", "{{conversation.reference}}\r\nBcc: x"},
                 {"conversation.reference", "SB-7K3Q9X"}};
  EXPECT_EQ(render("Hi {{contact.name}}", v), "Hi {{conversation.reference}}  Bcc: x");
}

TEST(Render, LongValuesAreCutOnACharacterBoundary) {
  std::string name(kMaxPlaceholderValue - 1, 'a');
  name += "\xc3\xa9\xc3\xa9";  // "éé" straddles the limit
  auto out = render("{{n}}", {{"n", name}});
  EXPECT_EQ(out, std::string(kMaxPlaceholderValue - 1, 'a'));
}

}  // namespace
}  // namespace sb::routing
