#include "service/outbound_sender.h"

#include <algorithm>
#include <cstdlib>
#include <random>
#include <thread>

#include "common/logging.h"
#include "whatsapp/graph_errors.h"
#include "whatsapp/outbound.h"

namespace chatshop::service {

using whatsapp::BuildMarkRead;
using whatsapp::IsMarkRead;
using whatsapp::IsUncertainSend;
using whatsapp::IsWindowClosed;

std::chrono::milliseconds MinimumRetryDelay(int64_t meta_code) {
  using std::chrono::minutes;
  using std::chrono::seconds;
  switch (meta_code) {
    case 131048:
      return minutes(15);  // spam rate limit: later, after quality recovers
    case 131057:
      return seconds(60);  // account in maintenance, about a minute
    case 4:                // app rate limit: minutes
    case 80007:
      return seconds(60);  // WABA rate limit
    default:
      return std::chrono::milliseconds(0);
  }
}

int64_t MetaErrorCode(const Error& error) {
  static const std::string kPrefix = "graph api error ";
  if (error.message.rfind(kPrefix, 0) != 0) return 0;
  return std::strtoll(error.message.c_str() + kPrefix.size(), nullptr, 10);
}

OutboundSender::OutboundSender(OutboxStore& store, GraphApi& graph, Pacer& pacer,
                               OutboundQueue& queue, OutboundSenderSettings settings,
                               common::MetricsRegistry& metrics, Sleep sleep, Random random)
    : store_(store),
      graph_(graph),
      pacer_(pacer),
      queue_(queue),
      settings_(settings),
      metrics_(metrics),
      sleep_(sleep ? std::move(sleep)
                   : Sleep([](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); })),
      random_(random ? std::move(random) : Random([] {
        thread_local std::mt19937_64 engine{std::random_device{}()};
        return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
      })),
      retries_(metrics.GetCounter("chatshop_sender_retries_total",
                                  "Sends that failed transiently and went to a delay queue")),
      dead_letters_(metrics.GetCounter("chatshop_sender_dead_letters_total",
                                       "Replies given up on (in the dead-letter queue)")),
      bucket_waits_(metrics.GetCounter("chatshop_sender_bucket_waits_total",
                                       "Sends that waited for Meta's throughput or pair rate")),
      order_waits_(metrics.GetCounter("chatshop_sender_order_waits_total",
                                      "Replies that waited for an older one to the same customer")),
      duplicates_(metrics.GetCounter("chatshop_sender_duplicates_total",
                                     "Jobs whose reply was already sent or given up on")),
      credential_holds_(metrics.GetCounter("chatshop_sender_credential_holds_total",
                                           "Replies held because the shop's token is refused")),
      templates_(metrics.GetCounter("chatshop_outbox_template_fallbacks_total",
                                    "Notices sent as approved templates: the 24-hour window was "
                                    "closed")),
      queue_age_(metrics.GetHistogram("chatshop_sender_queue_age_seconds",
                                      "From writing a reply to Meta accepting it",
                                      common::LatencyBuckets())),
      log_(common::GetLogger("sender")) {}

std::chrono::milliseconds OutboundSender::Backoff(int attempts) const {
  const int doublings = std::clamp(attempts - 1, 0, 20);
  const auto delay = settings_.backoff_base * (int64_t{1} << doublings);
  return std::min<std::chrono::milliseconds>(delay, settings_.backoff_cap);
}

void OutboundSender::Record(const std::string& result, int64_t code) {
  metrics_
      .GetCounter("chatshop_sender_sends_total", "Send attempts by result and Meta's error code",
                  {{"result", result}, {"code", std::to_string(code)}})
      .Increment();
}

Status OutboundSender::Handle(const OutboundJob& job) {
  if (auto pending = unrecorded_.find(job.outbox_id); pending != unrecorded_.end()) {
    if (auto marked = store_.MarkSent(job.outbox_id, pending->second); !marked) return marked;
    unrecorded_.erase(pending);
    return Ok();
  }
  auto loaded = store_.Load(job.outbox_id);
  if (!loaded) return tl::unexpected(loaded.error());
  if (!*loaded) {
    log_->warn("no outbox row {}: job dropped", job.outbox_id);
    return Ok();
  }
  const OutboxMessage& message = **loaded;
  if (message.status == "sent" || message.status == "dead") {
    duplicates_.Increment();
    return Ok();
  }
  if (!message.credentials_ok) {
    credential_holds_.Increment();
    return queue_.Delay(job, settings_.credential_hold);
  }
  if (message.earlier_unsent) {
    order_waits_.Increment();
    return queue_.Delay(job, settings_.order_wait);
  }
  // A read receipt is no message to the customer: it does not count against the pair rate.
  if (!IsMarkRead(message.payload)) {
    auto go = Pace(job, message);
    if (!go) return tl::unexpected(go.error());
    if (!*go) return Ok();  // in a delay queue until the limits allow it
  }
  return Send(job, message);
}

Result<bool> OutboundSender::Pace(const OutboundJob& job, const OutboxMessage& message) {
  const int rate = message.messages_per_second > 0 ? message.messages_per_second
                                                   : settings_.default_messages_per_second;
  while (true) {
    auto wait = pacer_.Reserve(message.phone_number_id, message.recipient, rate);
    if (!wait) return tl::unexpected(wait.error());
    if (wait->count() <= 0) return true;
    bucket_waits_.Increment();
    if (*wait > settings_.max_inline_wait) {
      if (auto delayed = queue_.Delay(job, *wait); !delayed) return tl::unexpected(delayed.error());
      return false;
    }
    sleep_(*wait);
  }
}

Status OutboundSender::Send(const OutboundJob& job, const OutboxMessage& message) {
  // Meta echoes biz_opaque_callback_data in the message's status webhooks: a send whose answer
  // was lost is recognised as accepted by its "sent" status, and not sent again.
  auto tagged = [&](nlohmann::json body) {
    if (!IsMarkRead(body))
      body["biz_opaque_callback_data"] = "outbox-" + std::to_string(message.id);
    return body;
  };
  // Outside the 24-hour window only a template gets through (docs/cloud-api.md §5); when Meta says
  // the window closed (131047) although we thought it open, the template goes at once. The customer
  // sees their message read (blue ticks) as the answer comes. Best effort: a read receipt that
  // fails changes nothing else, and it is not a message to pace.
  if (message.first_answer && !message.caused_by.empty()) {
    if (auto read = graph_.SendMessage(message.phone_number_id, message.access_token,
                                       BuildMarkRead(message.caused_by, /*typing=*/false));
        !read) {
      log_->debug("read receipt for outbox={} not taken: {}", message.id, read.error().message);
    }
  }
  const bool has_fallback = message.fallback.is_object();
  const bool use_fallback = has_fallback && !message.window_open;
  auto wamid = graph_.SendMessage(message.phone_number_id, message.access_token,
                                  tagged(use_fallback ? message.fallback : message.payload));
  if (!wamid && has_fallback && !use_fallback && IsWindowClosed(wamid.error())) {
    log_->info("window closed, sending the template instead outbox={}", message.id);
    templates_.Increment();
    // A second message to the same customer: paced like the first.
    auto go = Pace(job, message);
    if (!go) return tl::unexpected(go.error());
    if (!*go) return Ok();
    wamid =
        graph_.SendMessage(message.phone_number_id, message.access_token, tagged(message.fallback));
  } else if (use_fallback) {
    templates_.Increment();
  }
  if (!wamid) return Failed(job, message, wamid.error());

  queue_age_.Observe(static_cast<double>(message.age_ms) / 1000.0);
  Record("sent", 0);
  log_->info("sent outbox={} to={} wamid={}", message.id, common::MaskPhone(message.recipient),
             *wamid);
  if (auto marked = store_.MarkSent(message.id, *wamid); !marked) {
    unrecorded_[message.id] = *wamid;  // never send it again: record it on the next call
    return marked;
  }
  return Ok();
}

Status OutboundSender::Failed(const OutboundJob& job, const OutboxMessage& message,
                              const Error& error) {
  const int64_t code = MetaErrorCode(error);
  if (error.code == ErrorCode::kUnauthenticated) {
    // Retrying with the same token only burns attempts (and Meta's patience): the shop's
    // replies wait until an admin sets a new one.
    Record("held", code);
    credential_holds_.Increment();
    log_->critical(
        "Meta refused the access token of shop {} ({}): its replies wait for "
        "`chatshopctl shop add --token-stdin` with a new token",
        message.phone_number_id, common::MaskPhonesIn(error.message));
    if (auto held = store_.HoldShop(message.shop_id, message.token_at_rest, error.message); !held) {
      return held;
    }
    return queue_.Delay(job, settings_.credential_hold);
  }
  const int attempts = message.attempts + 1;
  if (IsRetryable(error.code) && attempts < settings_.max_attempts) {
    // Jitter spreads the retries of many replies hit by the same limit: half to all of it.
    const auto backoff = Backoff(attempts);
    auto delay = std::chrono::milliseconds(
        static_cast<int64_t>(static_cast<double>(backoff.count()) * (0.5 + 0.5 * random_())));
    // Some limits need longer than the backoff's first steps (docs/cloud-api.md §7); a send Meta
    // may have accepted waits for its status webhook before it is tried again.
    delay = std::max(delay, MinimumRetryDelay(code));
    if (IsUncertainSend(error))
      delay = std::max<std::chrono::milliseconds>(delay, settings_.uncertain_wait);
    Record("retry", code);
    retries_.Increment();
    // Meta's texts may name the recipient: masked like every number in the logs.
    log_->warn("send failed, retrying outbox={} attempt={} in={}ms error=\"{}\"", message.id,
               attempts, delay.count(), common::MaskPhonesIn(error.message));
    if (auto delayed = queue_.Delay(job, delay); !delayed) return delayed;
    return store_.MarkAttempt(message.id, attempts, error.ToString());
  }
  Record("dead", code);
  dead_letters_.Increment();
  log_->error("send failed for good outbox={} attempts={} error=\"{}\"", message.id, attempts,
              common::MaskPhonesIn(error.message));
  // Into the dead-letter queue first: if recording fails, the next call finds the row still
  // queued and dead-letters it again rather than losing it.
  std::string recorded = error.ToString();
  if (auto dead = queue_.DeadLetter(job, code, error.message); !dead) {
    if (IsRetryable(dead.error().code)) return dead;  // the broker is away: this job comes back
    // The broker refused this one dead letter for good: asking again would hold the queue,
    // and every later reply to this customer behind it, forever. The row records it dead
    // with both reasons instead (`chatshopctl dlq` will not list it).
    log_->error("dead letter refused outbox={} error=\"{}\"", message.id, dead.error().message);
    recorded += " (not in the dead-letter queue: " + dead.error().message + ")";
  }
  if (message.is_notice) {
    const UndeliveredReply undelivered{message.id, message.phone_number_id, message.recipient, code,
                                       error.message};
    if (auto reported = queue_.ReportUndelivered(undelivered); !reported) return reported;
  }
  return store_.MarkDead(message.id, code, recorded);
}

}  // namespace chatshop::service
