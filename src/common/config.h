#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace chatshop::common {

// A "host:port" pair from a `listen` key.
struct ListenAddress {
  std::string host;
  int port = 0;

  std::string ToString() const { return host + ":" + std::to_string(port); }
};

struct HttpSettings {
  ListenAddress listen;
  std::string webhook_path = "/webhook";
  int64_t max_body_bytes = 3 * 1024 * 1024;  // Meta's documented maximum payload
  int threads = 64;  // requests handled at once (a webhook POST waits for the broker's confirm)
  std::string
      public_url;  // https://host as Meta reaches it (nginx); for `chatshopctl webhook info`
  // /metrics, /readyz and /healthz: internal, never on the public listener.
  ListenAddress admin_listen{"127.0.0.1", 9101};
  int64_t max_header_line_bytes = 8192;  // 431 beyond (414 for the request line)
  int max_header_count = 64;             // 431 beyond
  int64_t max_header_bytes = 32 * 1024;  // the whole head; 431 beyond
  int request_timeout_ms = 10000;        // a whole request, first byte to last
  int idle_timeout_ms = 60000;           // a keep-alive connection between requests
  int max_connections = 10000;
  int max_connections_per_address = 256;
  int64_t max_buffered_body_bytes = 64 * 1024 * 1024;  // bodies held at once, all clients
  int readiness_interval_ms = 1000;                    // /readyz answers from checks this fresh
};

struct WhatsAppSettings {
  std::string app_secret;    // secret: HMAC key of X-Hub-Signature-256
  std::string verify_token;  // secret: echoed by Meta in the GET handshake
  std::string graph_base_url = "https://graph.facebook.com";
  std::string graph_version = "v24.0";
  int request_timeout_ms = 10000;
  // Hosts a media download may go to with the token (besides graph_base_url's own host):
  // exact names, or "*.<domain>" for its subdomains. Meta's media URLs are on lookaside.fbsbx.com
  // (docs/cloud-api.md §6); its CDN is *.fbcdn.net.
  std::vector<std::string> media_hosts = {"lookaside.fbsbx.com", "*.fbcdn.net"};
};

struct PostgresSettings {
  std::string url;  // may carry a password: never logged
  // Reads that may be stale (catalog browsing, chatshopctl's lists and reports) go here, e.g. a
  // streaming replica; empty: everything reads `url`. May carry a password: never logged.
  std::string read_url;
};

struct RedisSettings {
  // redis://[[user]:password@]host[:port][/db]; the password is never logged. With sentinels,
  // its host:port is not used (the sentinels name the master); its db and password are.
  std::string url;
  // Redis Sentinel: "host:port" of each sentinel, asked in turn for the master named
  // master_name. Both set or neither; empty: connect to url's host:port.
  std::vector<std::string> sentinels;
  std::string master_name;
  std::string key_prefix = "chatshop";  // every key starts with it, as queue names do
  int cache_ttl_seconds = 300;          // cached copies expire even if an invalidation is lost
};

struct RabbitMqSettings {
  // Exactly one of the two is set: `url` for one broker, `urls` for the nodes of a cluster
  // (tried in turn). Both may carry a password: never logged.
  std::string url;
  std::vector<std::string> urls;
  int inbound_shards = 4;
  // Prefix of every exchange and queue name, so that several deployments (or tests) can share
  // one broker without seeing each other's messages.
  std::string name_prefix = "chatshop";
  int prefetch = 64;
  int outbound_shards = 4;               // queues of replies, by recipient: in order per recipient
  int publish_timeout_ms = 5000;         // a webhook's events unconfirmed by then: 503
  int64_t max_waiting_messages = 10000;  // waiting to be published; beyond: 503 at once
  // "classic" (one broker) or "quorum" (a cluster: replicated queues, poison messages parked
  // after `delivery_limit` redeliveries).
  std::string queue_type = "classic";
  int delivery_limit = 20;  // quorum only
};

struct WorkerSettings {
  int outbox_batch = 32;
  int outbox_idle_poll_ms = 100;
  int outbox_max_attempts = 8;
  int bot_threads = 2;
  ListenAddress metrics_listen{"", 0};  // /metrics of the worker; port 0: not served
};

// The sender's pacing and retries (docs/cloud-api.md §7, §8).
struct SenderSettings {
  int threads = 2;               // consumers of the outbound shard queues per process
  int messages_per_second = 80;  // per business number, unless the shop says otherwise
  int number_burst = 40;         // sends allowed at once before the rate applies
  int pair_interval_ms = 6000;   // then one message per this to the same customer…
  int pair_burst = 40;           // …after a burst of this many
  int backoff_base_ms = 1000;    // first retry delay; doubles per attempt, with jitter
  int backoff_cap_seconds = 300;
  int max_inline_wait_ms = 1000;     // longer pacing waits go through a delay queue
  int credential_hold_seconds = 30;  // a shop without a valid token is looked at again after this
  int uncertain_wait_ms = 30000;     // a send whose answer was lost waits for its status webhook
};

struct LogSettings {
  std::string level = "info";   // trace | debug | info | warn | error | critical | off
  std::string format = "text";  // text | json
};

struct OrdersSettings {
  int reservation_minutes = 30;      // checkout holds the stock this long, unpaid
  int review_reminder_minutes = 15;  // a payment waiting this long for the owner: remind once
  std::string media_dir = "media";   // payment screenshots, stored by sha256
  // Where screenshots are kept: "files" (media_dir on this machine) or "postgres" (table
  // media_blobs, reachable from every worker on every node: for more than one machine).
  std::string media_store = "files";
  int64_t media_max_bytes = 16 * 1024 * 1024;  // Meta's image limit is 5 MB, documents 100 MB
  int timer_poll_ms = 1000;  // how often expired reservations and reminders are looked for
  int64_t max_price_rupees = 1000000;  // a catalog import refuses a higher unit price
};

// What one customer may do (issue 13): how fast they may write, how big a message, a cart, an
// order hold and a reply may get. Owners' messages are not limited.
struct LimitsSettings {
  int customer_messages_per_minute =
      20;                        // beyond: one "slow down" a minute, messages kept unanswered
  int message_chars_max = 4000;  // characters of one message given to the order parser
  int cart_lines_max = 50;       // different products in one cart
  int held_units_max = 200;      // units one customer may hold reserved across open orders
  int64_t held_value_max_rupees = 50000;  // and their value (subtotals), per shop
  int proofs_per_order_max = 5;           // payment screenshots accepted for one order
  int text_messages_per_answer_max = 5;   // a long text (a bill) is split into at most this many
};

struct TemplatesSettings {
  // Where templates/<locale>/<name>.mustache are read from at start-up; by default the
  // templates/ folder of the source tree the binaries were built from.
  std::string dir = CHATSHOP_DEFAULT_TEMPLATES_DIR;
};

struct SandboxSettings {
  ListenAddress listen{"127.0.0.1", 0};
  std::string webhook_url;  // where the sandbox POSTs signed customer webhooks
  // PEM file of the CA that signed the webhook server's certificate (nginx with a local CA):
  // an https webhook_url is verified against it; empty: against the system's CA store.
  std::string webhook_ca_file;
  std::string access_token;  // secret: the bearer token the fake Graph API accepts
  // Meta's limits as the fake Graph API enforces them (docs/cloud-api.md §8): answered 130429 /
  // 131056 beyond.
  int messages_per_second = 80;
  int pair_interval_ms = 6000;
  int pair_burst = 45;
};

// What is kept how long (chatshopctl db prune, and the worker's timer).
struct RetentionSettings {
  // The inbox is the dedupe record of wamids: Meta redelivers a webhook for a few days at most,
  // so it is kept well beyond that (at least 7 days).
  int inbox_days = 30;
  int message_status_days = 90;
  int parked_days = 14;             // parked messages in RabbitMQ, by their publish time
  int prune_interval_minutes = 60;  // the worker prunes at start and this often; 0: only the CLI
  int batch_rows = 1000;            // rows per DELETE, each its own short transaction
};

struct Config {
  std::string source;  // file the config came from, for messages
  HttpSettings http;
  WhatsAppSettings whatsapp;
  PostgresSettings postgres;
  RedisSettings redis;
  RabbitMqSettings rabbitmq;
  WorkerSettings worker;
  SenderSettings sender;
  LogSettings log;
  OrdersSettings orders;
  LimitsSettings limits;
  TemplatesSettings templates;
  SandboxSettings sandbox;
  RetentionSettings retention;
};

// Looks up an environment variable; injectable so tests do not touch the real environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the process environment.
EnvLookup ProcessEnvironment();

// Every problem found, each naming the file (or variable), the key and what is wrong. Values of
// keys are never quoted, so secrets cannot leak through an error message.
using ConfigErrors = std::vector<std::string>;

// Parses TOML text. `source_name` is used in messages. Environment variables
// CHATSHOP_<SECTION>_<KEY> override keys of the file. Unknown sections and keys are errors.
tl::expected<Config, ConfigErrors> ParseConfig(std::string_view text,
                                               const std::string& source_name,
                                               const EnvLookup& env);

// Reads and parses a file; a missing or unreadable file is an error naming the path.
tl::expected<Config, ConfigErrors> LoadConfigFile(const std::string& path, const EnvLookup& env);

// True for a secret left at a placeholder of the example config ("change-me…", "sandbox-token",
// "secret", …): such a value is refused, since anyone who read the example knows it.
bool IsPlaceholderSecret(std::string_view value);

// Parses "host:port"; nullopt when malformed or the port is out of 1..65535.
std::optional<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace chatshop::common
