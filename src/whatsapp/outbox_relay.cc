#include "whatsapp/outbox_relay.h"

#include <algorithm>

#include "common/logging.h"
#include "whatsapp/graph_errors.h"

namespace chatshop::whatsapp {

OutboxRelay::OutboxRelay(OutboxStore& store, GraphApi& graph, OutboxRelaySettings settings,
                         common::MetricsRegistry& metrics)
    : store_(store),
      graph_(graph),
      settings_(settings),
      sent_(metrics.GetCounter("chatshop_outbox_sent_total", "Replies accepted by the Graph API")),
      retried_(metrics.GetCounter("chatshop_outbox_retries_total",
                                  "Sends that failed transiently and were rescheduled")),
      failed_(metrics.GetCounter("chatshop_outbox_failed_total",
                                 "Replies given up on after a permanent error or too many tries")),
      templates_(metrics.GetCounter("chatshop_outbox_template_fallbacks_total",
                                    "Notices sent as approved templates: the 24-hour window was "
                                    "closed")),
      log_(common::GetLogger("outbox")) {}

Result<int> OutboxRelay::RunOnce() {
  auto claimed = store_.ClaimDue(settings_.batch);
  if (!claimed) return tl::unexpected(claimed.error());

  for (const OutboxMessage& message : *claimed) {
    // Outside the 24-hour window only a template gets through (§5); when Meta says the
    // window closed (131047) although we thought it open, the template goes at once.
    const bool has_fallback = message.fallback.is_object();
    const bool use_fallback = has_fallback && !message.window_open;
    auto wamid = graph_.SendMessage(message.phone_number_id, message.access_token,
                                    use_fallback ? message.fallback : message.payload);
    if (!wamid && has_fallback && !use_fallback && IsWindowClosed(wamid.error())) {
      log_->info("window closed, sending the template instead outbox={}", message.id);
      templates_.Increment();
      wamid = graph_.SendMessage(message.phone_number_id, message.access_token, message.fallback);
    } else if (use_fallback) {
      templates_.Increment();
    }
    Status recorded;
    if (wamid) {
      recorded = store_.MarkSent(message.id, *wamid);
      sent_.Increment();
      log_->info("sent outbox={} to={} wamid={}", message.id, common::MaskPhone(message.recipient),
                 *wamid);
    } else if (IsRetryable(wamid.error().code) && message.attempts < settings_.max_attempts) {
      // 2, 4, 8 … seconds, capped at five minutes.
      auto delay = std::chrono::seconds(std::min(300, 1 << std::min(message.attempts, 8)));
      recorded = store_.MarkRetry(message.id, delay, wamid.error().ToString());
      retried_.Increment();
      log_->warn("send failed, retrying outbox={} attempt={} in={}s error=\"{}\"", message.id,
                 message.attempts, delay.count(), wamid.error().ToString());
    } else {
      recorded = store_.MarkFailed(message.id, wamid.error().ToString());
      failed_.Increment();
      log_->error("send failed for good outbox={} attempts={} error=\"{}\"", message.id,
                  message.attempts, wamid.error().ToString());
    }
    // The lease expires and the row comes back if we could not record the outcome.
    if (!recorded) return tl::unexpected(recorded.error());
  }
  return static_cast<int>(claimed->size());
}

}  // namespace chatshop::whatsapp
