// The host runtime: an Asio thread pool, the channel instances and their lifecycle.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "core/status.h"
#include "runtime/channel_instance.h"

namespace sb::runtime {

struct RuntimeOptions {
  int worker_threads = 2;
};

class Runtime {
 public:
  // Starts the worker threads at once: instance calls run on them from the first create.
  Runtime(RuntimeOptions options, HostServices services);
  ~Runtime();  // shutdown()
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const sb_host_api* host_api() const { return host_api_table(); }
  const HostServices& services() const { return services_; }

  // Creates the instance (validate_config + create on its strand). The instance is kept even when
  // create fails (state failed), so health and readiness can name it; the Status says why.
  Status add_instance(InstanceSpec spec);
  Status start_instance(std::string_view id);

  std::shared_ptr<ChannelInstance> find(std::string_view id) const;
  std::vector<std::shared_ptr<ChannelInstance>> instances() const;  // in the order added

  // Stops and destroys every instance (reverse order), then stops the threads. Idempotent. The
  // caller deinits the plugins afterwards. Instances must not be kept past the Runtime.
  void shutdown();

  std::chrono::steady_clock::time_point started_at() const { return started_at_; }

 private:
  HostServices services_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<ChannelInstance>> instances_;
  std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
  bool shut_down_ = false;
};

}  // namespace sb::runtime
