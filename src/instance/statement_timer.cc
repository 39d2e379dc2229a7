// See statement_timer.h.
#include "instance/statement_timer.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace nordlys::instance {

using Clock = std::chrono::steady_clock;
using engine::storage::CancelFlag;
using engine::storage::CancelReason;

struct StatementTimer::Impl {
  std::mutex mu;
  std::condition_variable cv;
  uint64_t next_id = 1;
  // Invariants: `by_deadline` and `by_id` hold the same armed statements.
  std::multimap<Clock::time_point, uint64_t> by_deadline;
  std::map<uint64_t, std::pair<Clock::time_point, CancelFlag*>> by_id;

  void Run() {
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      if (by_deadline.empty()) {
        cv.wait(lock);
        continue;
      }
      auto first = by_deadline.begin();
      if (Clock::now() < first->first) {
        cv.wait_until(lock, first->first);
        continue;
      }
      auto it = by_id.find(first->second);
      uint8_t none = static_cast<uint8_t>(CancelReason::kNone);
      it->second.second->compare_exchange_strong(none, static_cast<uint8_t>(CancelReason::kStatementTimeout));
      by_id.erase(it);
      by_deadline.erase(first);
    }
  }
};

StatementTimer& StatementTimer::Get() {
  static StatementTimer* timer = new StatementTimer();
  return *timer;
}

StatementTimer::StatementTimer() : impl_(new Impl()) {
  std::thread([impl = impl_] { impl->Run(); }).detach();
}

uint64_t StatementTimer::Arm(Clock::time_point deadline, CancelFlag* flag) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  uint64_t id = impl_->next_id++;
  impl_->by_id[id] = {deadline, flag};
  impl_->by_deadline.emplace(deadline, id);
  impl_->cv.notify_one();
  return id;
}

void StatementTimer::Disarm(uint64_t id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->by_id.find(id);
  if (it == impl_->by_id.end()) return;  // it fired
  auto range = impl_->by_deadline.equal_range(it->second.first);
  for (auto d = range.first; d != range.second; ++d) {
    if (d->second == id) {
      impl_->by_deadline.erase(d);
      break;
    }
  }
  impl_->by_id.erase(it);
}

ScopedStatementTimeout::ScopedStatementTimeout(int64_t timeout_ms, CancelFlag* flag) : flag_(flag) {
  if (timeout_ms > 0) {
    id_ = StatementTimer::Get().Arm(Clock::now() + std::chrono::milliseconds(timeout_ms), flag);
  }
}

ScopedStatementTimeout::~ScopedStatementTimeout() {
  if (id_ == 0) return;
  StatementTimer::Get().Disarm(id_);
  uint8_t timeout = static_cast<uint8_t>(CancelReason::kStatementTimeout);
  flag_->compare_exchange_strong(timeout, static_cast<uint8_t>(CancelReason::kNone));
}

}  // namespace nordlys::instance
