#include "service/proof_fetcher.h"

#include <algorithm>
#include <cctype>

#include "bot/owner_engine.h"
#include "common/crypto.h"
#include "common/logging.h"
#include "service/inbound_processor.h"
#include "whatsapp/media_kind.h"

namespace chatshop::service {

bool Sha256Matches(const std::string& claimed, const std::string& hex) {
  std::string lower = claimed;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == hex) return true;
  const auto digest = common::HexDecode(hex);
  return hex.size() == 64 && digest && claimed == common::Base64Encode(*digest);
}

ProofFetcher::ProofFetcher(ProofStore& store, MediaApi& media, MediaVault& vault,
                           const common::TemplateSet& templates, ProofFetcherSettings settings,
                           common::MetricsRegistry& metrics)
    : store_(store),
      media_(media),
      vault_(vault),
      templates_(templates),
      settings_(settings),
      stored_(metrics.GetCounter("chatshop_payment_proofs_stored_total",
                                 "Payment screenshots fetched, kept and shown to the owners")),
      retried_(metrics.GetCounter("chatshop_payment_proofs_retries_total",
                                  "Payment screenshot fetches to be tried again")),
      failed_(metrics.GetCounter("chatshop_payment_proofs_failed_total",
                                 "Payment screenshots given up on (owners told)")),
      duplicates_(metrics.GetCounter("chatshop_payment_proofs_duplicate_total",
                                     "Screenshots already used for another order")),
      refused_(metrics.GetCounter("chatshop_payment_proofs_refused_total",
                                  "Payment proofs whose file is not a picture or a PDF")),
      log_(common::GetLogger("media")) {}

Result<int> ProofFetcher::RunOnce() {
  // The lease outlasts one fetch of the largest allowed file.
  auto jobs = store_.ClaimDue(4, std::chrono::seconds(120));
  if (!jobs) return tl::unexpected(jobs.error());
  for (const auto& job : *jobs) {
    if (auto done = Fetch(job); !done) return tl::unexpected(done.error());
  }
  return static_cast<int>(jobs->size());
}

Status ProofFetcher::Retry(const ProofJob& job, const Error& error) {
  const bool permanent = !IsRetryable(error.code) || job.attempts >= settings_.max_attempts;
  if (!permanent) {
    retried_.Increment();
    // 2, 4, 8 … seconds, at most 5 minutes: the media stays downloadable for 7 days
    // (docs/cloud-api.md §6).
    const auto delay = std::chrono::seconds(std::min(300, 1 << std::min(job.attempts, 8)));
    log_->warn("proof fetch retry proof={} attempt={} in={}s error=\"{}\"", job.proof_id,
               job.attempts, delay.count(), common::MaskPhonesIn(error.message));
    return store_.Retry(job.proof_id, delay, error.ToString());
  }
  failed_.Increment();
  log_->error("proof fetch failed for good proof={} order={} error=\"{}\"", job.proof_id,
              job.order_id, common::MaskPhonesIn(error.message));
  const bot::ShopView view = ShopViewOf(job.shop, templates_, settings_.reservation_minutes);
  return store_.Fail(job, error.ToString(), [&](const orders::OrderView& order, int64_t) {
    std::vector<nlohmann::json> out;
    for (const auto& owner : job.shop.owners) {
      out.push_back(bot::PaymentProofNotice(order, owner, {}, -1, view));
    }
    return out;
  });
}

Status ProofFetcher::Fetch(const ProofJob& job) {
  auto info = media_.GetMedia(job.shop.phone_number_id, job.access_token, job.media_id);
  if (!info) return Retry(job, info.error());
  // Too large is final: the same media will not shrink.
  if (info->file_size > settings_.max_bytes) {
    return Retry(job, Error{ErrorCode::kFailedPrecondition,
                            "media is " + std::to_string(info->file_size) + " bytes, more than " +
                                std::to_string(settings_.max_bytes)});
  }
  auto bytes = media_.Download(job.access_token, info->url, settings_.max_bytes);
  if (!bytes) {
    // Too large is final; anything else may be a lapsed URL: try again with a fresh one.
    if (bytes.error().code == ErrorCode::kResourceExhausted) {
      return Retry(job, Error{ErrorCode::kFailedPrecondition, bytes.error().message});
    }
    return Retry(job, bytes.error());
  }
  // Checked before anything is kept: a damaged download is fetched again, never stored.
  if (info->file_size >= 0 && static_cast<int64_t>(bytes->size()) != info->file_size) {
    return Retry(job, Error{ErrorCode::kUnavailable, "downloaded " + std::to_string(bytes->size()) +
                                                         " bytes, Meta said " +
                                                         std::to_string(info->file_size)});
  }
  if (!info->sha256.empty() && !Sha256Matches(info->sha256, vault_.DigestOf(*bytes))) {
    return Retry(job, Error{ErrorCode::kUnavailable, "downloaded bytes do not match sha256"});
  }
  // What the file is, by its first bytes: the MIME type the customer's phone declared is
  // theirs to choose. Anything but a picture or a PDF is refused and the customer told; it is
  // never kept, uploaded or shown to the owners.
  const std::optional<whatsapp::ProofFileKind> kind = whatsapp::SniffProofFile(*bytes);
  const bot::ShopView view = ShopViewOf(job.shop, templates_, settings_.reservation_minutes);
  if (!kind) {
    refused_.Increment();
    log_->warn("proof refused proof={} order={} bytes={} declared=\"{}\": not a picture or PDF",
               job.proof_id, job.order_id, bytes->size(), job.mime_type);
    return store_.Refuse(job,
                         "not a JPEG, PNG, WebP or PDF file (declared " +
                             (job.mime_type.empty() ? std::string("nothing") : job.mime_type) + ")",
                         settings_.reservation_minutes, [&](const orders::OrderView& order) {
                           return std::vector<nlohmann::json>{bot::ProofRefusedNotice(order, view)};
                         });
  }
  auto kept = vault_.Keep(*bytes);
  if (!kept) return Retry(job, kept.error());
  // The owners see the file itself: uploaded again under the shop's number (Meta does not let
  // a business send a customer's media id), with the type its bytes have. WebP is not
  // uploaded: Meta shows it only as a sticker, which cannot carry the buttons.
  bot::ProofAttachment proof{"", *kind};
  if (*kind != whatsapp::ProofFileKind::kWebp) {
    auto uploaded = media_.Upload(job.shop.phone_number_id, job.access_token, *bytes,
                                  std::string(whatsapp::MimeTypeOf(*kind)));
    if (!uploaded && IsRetryable(uploaded.error().code) && job.attempts < settings_.max_attempts) {
      return Retry(job, uploaded.error());
    }
    if (uploaded) proof.media_id = *uploaded;
  }
  bool duplicate = false;
  auto done = store_.Complete(job, *kept, [&](const orders::OrderView& order, int64_t dup) {
    duplicate = dup > 0;
    std::vector<nlohmann::json> out;
    // A proof for an order that moved on meanwhile (cancelled, approved by hand) is kept
    // but bothers nobody.
    if (order.status != orders::OrderStatus::kPaymentReview) return out;
    for (const auto& owner : job.shop.owners) {
      out.push_back(bot::PaymentProofNotice(order, owner, proof, dup, view));
    }
    return out;
  });
  if (!done) return done;
  stored_.Increment();
  if (duplicate) duplicates_.Increment();
  log_->info("proof stored proof={} order={} bytes={} duplicate={}", job.proof_id, job.order_id,
             kept->size, duplicate);
  return Ok();
}

}  // namespace chatshop::service
