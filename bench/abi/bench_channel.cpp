// The smallest useful channel: send answers with a provider id built from a counter. It does the
// same work as DirectChannel in abi_bench.cc, so the two benchmarks differ only by the boundary.
#include <switchboard/sdk.hpp>

#include <string>

namespace {

namespace sw = switchboard;

class BenchChannel : public sw::Channel {
 public:
  BenchChannel(sw::Host host, std::string_view, std::string_view) : sw::Channel(std::move(host)) {}
  sw::Status start() override { return {}; }
  void stop() override {}
  sw::SendResult send(const sw::OutboundMessage& message) override {
    if (message.to().empty()) return sw::Error::invalid_arg("no recipient");
    return sw::SendResult::sent("bench-" + std::to_string(++next_));
  }

 private:
  uint64_t next_ = 0;
};

}  // namespace

SB_PLUGIN(BenchChannel, SB_PLUGIN_ID, SB_PLUGIN_VERSION, SB_PLUGIN_KIND, SB_PLUGIN_DESCRIPTION,
          SB_CAP_SEND_TEXT)
