#include "apps/retention.h"

#include <chrono>

#include "apps/wiring.h"
#include "infra/pg_retention.h"
#include "infra/rabbitmq.h"

namespace chatshop::apps {

Result<PruneReport> PruneOnce(const common::Config& config, bool dry_run) {
  const auto& r = config.retention;
  PruneReport report;
  infra::PgRetention retention(config.postgres.url);
  auto inbox =
      retention.Prune(infra::PgRetention::Table::kInbox, r.inbox_days, r.batch_rows, dry_run);
  if (!inbox) return tl::unexpected(inbox.error());
  report.inbox_rows = inbox->rows;
  auto statuses = retention.Prune(infra::PgRetention::Table::kMessageStatus, r.message_status_days,
                                  r.batch_rows, dry_run);
  if (!statuses) return tl::unexpected(statuses.error());
  report.status_rows = statuses->rows;
  report.batches = inbox->batches + statuses->batches;

  const infra::RabbitSettings rabbit = RabbitSettingsOf(config);
  const int64_t cutoff = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count() -
                         int64_t{r.parked_days} * 24 * 3600;
  // The parked queue exists once any program declared the topology; declaring is idempotent.
  if (auto declared = infra::DeclareTopology(rabbit); !declared)
    return tl::unexpected(declared.error());
  auto parked = infra::DropPublishedBefore(
      rabbit, infra::RabbitNames{rabbit.name_prefix}.ParkedQueue(), cutoff, dry_run);
  if (!parked) return tl::unexpected(parked.error());
  report.parked_messages = *parked;
  return report;
}

}  // namespace chatshop::apps
