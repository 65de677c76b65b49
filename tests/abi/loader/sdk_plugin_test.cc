// A C++ plugin whose send throws (built with sdk.hpp): the exception never crosses the boundary.
// The host gets SB_ERR_INTERNAL with the exception's message and the instance keeps working.
#include <gtest/gtest.h>

#include "fixtures.h"
#include "test_host.h"

namespace sb::abi_test {
namespace {

using plugin::LoadedPlugin;
using plugin::LoadError;

sb_str str(std::string_view s) {
  return {s.data(), s.size()};
}

int32_t send_text(const LoadedPlugin& p, sb_channel* ch, int64_t id, std::string_view text,
                  StringSink& provider_id, ErrorCapture& err) {
  sb_outbound_message msg{};
  msg.struct_size = sizeof msg;
  msg.message_id = id;
  msg.to = str("+4915112345678");
  msg.content_type = str("text");
  msg.text = str(text);
  return p.vtable().send(ch, &msg, &provider_id.sink, &err.sink);
}

TEST(SdkPlugin, ExceptionInSendBecomesInternalErrorAndTheInstanceKeepsWorking) {
  auto loaded = load_fixture("sdk_throwing");
  ASSERT_TRUE(std::holds_alternative<std::shared_ptr<LoadedPlugin>>(loaded))
      << std::get<LoadError>(loaded).message;
  auto plugin = std::get<std::shared_ptr<LoadedPlugin>>(loaded);
  ASSERT_FALSE(plugin->init(TestHost::api()).has_value());

  TestHost host;
  sb_create_params params{};
  params.struct_size = sizeof params;
  params.host_api = TestHost::api();
  params.host = host.ctx();
  params.instance_id = str("throwing-1");
  params.config_json = str("{}");
  sb_channel* ch = nullptr;
  ErrorCapture create_err;
  ASSERT_EQ(plugin->entry().create(&params, &ch, &create_err.sink), SB_OK) << create_err.message;
  ErrorCapture start_err;
  ASSERT_EQ(plugin->vtable().start(ch, &start_err.sink), SB_OK);

  StringSink boom_id;
  ErrorCapture boom_err;
  EXPECT_EQ(send_text(*plugin, ch, 1, "boom", boom_id, boom_err), SB_ERR_INTERNAL);
  EXPECT_EQ(boom_err.calls, 1);
  EXPECT_EQ(boom_err.message, "boom");
  EXPECT_EQ(boom_id.data, "");

  // The same instance, the next call: business as usual.
  StringSink ok_id;
  ErrorCapture ok_err;
  EXPECT_EQ(send_text(*plugin, ch, 2, "fine", ok_id, ok_err), SB_OK) << ok_err.message;
  EXPECT_EQ(ok_id.data, "sent-2");
  EXPECT_EQ(ok_err.calls, 0);

  // And again after another throw, so the first recovery was no accident.
  StringSink again_id;
  ErrorCapture again_err;
  EXPECT_EQ(send_text(*plugin, ch, 3, "boom", again_id, again_err), SB_ERR_INTERNAL);
  EXPECT_EQ(send_text(*plugin, ch, 4, "fine again", ok_id, ok_err), SB_OK);

  plugin->vtable().stop(ch);
  plugin->vtable().destroy(ch);
}

}  // namespace
}  // namespace sb::abi_test
