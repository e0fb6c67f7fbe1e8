#pragma once

// What the gateway must make of each webhook fixture in tests/fixtures/webhooks: the answer, and
// the events (in order) or parked items that must come out. Shared by the parser's unit test
// and the test that posts every fixture through the real gateway to the real broker.

#include <string>
#include <vector>

namespace chatshop::testing {

struct ExpectedEvent {
  std::string kind;  // message | status | error
  std::string type;
  std::string subtype;
  std::string customer;  // "" for value-level errors
  std::string pointer;   // a JSON pointer into the event's data...
  std::string value;     // ...and the value found there, as JSON text
};

struct FixtureCase {
  std::string file;
  int status;  // HTTP answer of the gateway
  std::vector<ExpectedEvent> events;
  std::vector<std::string> parked_reasons;
};

// The shop the fixtures are addressed to; it is the only configured shop in these tests.
inline constexpr const char* kFixtureShop = "106540352242922";

inline const std::vector<FixtureCase>& FixtureCases() {
  static const std::vector<FixtureCase> cases = {
      {"01_text_order.json",
       200,
       {{"message", "text", "", "919876543210", "/body", R"("2 atta 5kg, 1 maggi, eggs x12")"}},
       {}},
      {"02_catalog_order_3_items.json",
       200,
       {{"message", "order", "", "919876543210", "/product_items/0/product_retailer_id",
         R"("ATTA_AASHIRVAAD_5KG")"}},
       {}},
      {"03_button_reply.json",
       200,
       {{"message", "interactive", "button_reply", "919876543210", "/button_reply/id",
         R"("bill:ORD-2026-000481:confirm")"}},
       {}},
      {"04_list_reply.json",
       200,
       {{"message", "interactive", "list_reply", "919876543210", "/list_reply/id",
         R"("subst:MAGGI_MASALA_70G:YIPPEE_MAGIC_MASALA_70G")"}},
       {}},
      {"05_image_payment_screenshot.json",
       200,
       {{"message", "image", "", "919876543210", "/id", R"("9109869208950323")"}},
       {}},
      {"07_location.json",
       200,
       {{"message", "location", "", "919876543210", "/latitude", "12.9715987"}},
       {}},
      {"10_unsupported_with_errors.json",
       200,
       {{"message", "unsupported", "poll_creation", "919812345678", "/type", R"("poll_creation")"}},
       {}},
      {"11_status_sent.json",
       200,
       {{"status", "sent", "", "919876543210", "/status", R"("sent")"}},
       {}},
      {"13_status_read.json",
       200,
       {{"status", "read", "", "919876543210", "/status", R"("read")"}},
       {}},
      {"14_status_failed_131047.json",
       200,
       {{"status", "failed", "", "919812345678", "/errors/0/code", "131047"}},
       {}},
      {"15_batch_two_customers.json",
       200,
       {{"message", "text", "", "919876543210", "/body", R"("also add 1 litre Amul milk")"},
        {"message", "text", "", "919812345678", "/body",
         R"("Hi, is Fortune sunflower oil 1L in stock?")"}},
       {}},
      {"17_text_hindi_devanagari.json",
       200,
       {{"message", "text", "", "918765432109", "/body", "\"2 किलो आटा, 1 मैगी और 12 अंडे भेज दो 🙏\""}},
       {}},
      {"19_malformed_truncated.json", 400, {}, {}},
      {"20_missing_required_fields.json", 200, {}, {"change without metadata.phone_number_id"}},
      {"22_status_payment_captured.json",
       200,
       {{"status", "captured", "payment", "919876543210", "/payment/transaction/status",
         R"("success")"}},
       {}},
      {"27_template_quick_reply_button.json",
       200,
       {{"message", "button", "", "919812345678", "/payload", R"("REORDER_LAST")"}},
       {}},
      {"30_every_other_message_type.json",
       200,
       {{"message", "document", "", "919812345678", "/filename", R"("list.pdf")"},
        {"message", "audio", "", "919812345678", "/voice", "true"},
        {"message", "video", "", "919812345678", "/id", R"("2003")"},
        {"message", "sticker", "", "919812345678", "/animated", "false"},
        {"message", "contacts", "", "919812345678", "/0/phones/0/wa_id", R"("919811122233")"},
        {"message", "interactive", "nfm_reply", "919812345678", "/nfm_reply/name",
         R"("address_message")"},
        {"message", "reaction", "", "919812345678", "/emoji", "\"👍\""},
        {"message", "system", "user_changed_number", "919812345678", "/wa_id", R"("919812345679")"},
        {"message", "poll_vote", "", "919812345678", "/poll_id", R"("p1")"},
        {"status", "delivered", "", "919812345678", "/status", R"("delivered")"},
        {"error", "130429", "", "", "/code", "130429"}},
       {}},
      {"31_text_raw_utf8.json",
       200,
       {{"message", "text", "", "918765432109", "/body", "\"2 किलो आटा और दूध 🙏\""}},
       {}},
      {"32_user_preferences_and_account_update.json", 200, {}, {}},
      {"33_unknown_tenant_and_known_tenant.json",
       200,
       {{"message", "text", "", "919876543210", "/body", R"("1 maggi")"}},
       {"no shop has phone_number_id 999000999000999"}},
      {"34_oddly_typed_fields.json",
       200,
       {{"message", "text", "", "919876543210", "/0", R"("x")"},
        {"status", "captured", "payment", "919876543210", "/payment/transaction/id", "1"}},
       {}},
  };
  return cases;
}

}  // namespace chatshop::testing
