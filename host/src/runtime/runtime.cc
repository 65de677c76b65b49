#include "runtime/runtime.h"

#include <algorithm>

#include "log/log.h"

namespace sb::runtime {

Runtime::Runtime(RuntimeOptions options, HostServices services)
    : services_(std::move(services)), work_(boost::asio::make_work_guard(io_)) {
  const int n = std::max(1, options.worker_threads);
  threads_.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads_.emplace_back([this] {
      // Handlers never throw (every plugin call is guarded), but a worker must not die silently.
      for (;;) {
        try {
          io_.run();
          return;
        } catch (const std::exception& e) {
          log::logger("runtime")->error("worker caught: {}", e.what());
        }
      }
    });
  }
}

Runtime::~Runtime() {
  shutdown();
}

Status Runtime::add_instance(InstanceSpec spec) {
  if (spec.plugin == nullptr) return invalid_argument("instance \"" + spec.id + "\": no plugin");
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return failed_precondition("runtime is shut down");
    for (const auto& i : instances_) {
      if (i->id() == spec.id) return invalid_argument("duplicate instance id \"" + spec.id + "\"");
    }
  }
  auto instance = ChannelInstance::make(io_, services_, std::move(spec), host_api());
  Status s = instance->create();
  std::lock_guard lock(mu_);
  instances_.push_back(std::move(instance));
  return s;
}

Status Runtime::start_instance(std::string_view id) {
  auto instance = find(id);
  if (instance == nullptr) return not_found("no instance \"" + std::string(id) + "\"");
  return instance->start();
}

std::shared_ptr<ChannelInstance> Runtime::find(std::string_view id) const {
  std::lock_guard lock(mu_);
  for (const auto& i : instances_) {
    if (i->id() == id) return i;
  }
  return nullptr;
}

std::vector<std::shared_ptr<ChannelInstance>> Runtime::instances() const {
  std::lock_guard lock(mu_);
  return instances_;
}

void Runtime::shutdown() {
  std::vector<std::shared_ptr<ChannelInstance>> to_stop;
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
    to_stop = instances_;
  }
  std::reverse(to_stop.begin(), to_stop.end());
  for (const auto& i : to_stop) i->stop();
  for (const auto& i : to_stop) i->destroy();
  // Drain: what is left belongs to stopped instances and returns without calling a plugin, and
  // every timer was cancelled, so run() runs out of work and the threads end.
  work_.reset();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace sb::runtime
