// libFuzzer target for the free-text order parser: whatever a customer types (any bytes, any
// script) must parse without a crash, hang or leak, and never yield an item the catalog lacks
// or a quantity outside 1..999. Built and run by scripts/fuzz order_parser.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bot/order_parser.h"

namespace {

const chatshop::bot::OrderParser& Parser() {
  static const chatshop::bot::OrderParser parser = [] {
    auto imported = chatshop::orders::ParseCatalogCsv(
        "sku,name,price,stock,unit,category,aliases\n"
        "ATTA-5,Aashirvaad Atta 5kg,289.00,40,pack,staples,atta|aata\n"
        "SUGAR-1,Sugar 1kg,48.00,60,kg,staples,cheeni\n"
        "MILK-500,Amul Milk 500ml,27.00,100,packet,dairy,doodh|milk\n"
        "EGGS-6,Eggs (6 pcs),48.00,30,tray,dairy,anda|eggs\n"
        "EGGS-12,Eggs (12 pcs),92.00,20,tray,dairy,\n"
        "MAGGI-4PK,Maggi 4-pack 280g,56.00,40,pack,snacks,maggi\n"
        "BANANA,Banana (dozen),60.00,15,dozen,fruits,kela\n");
    return chatshop::bot::OrderParser(imported.catalog);
  }();
  return parser;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto order = Parser().Parse(text);
  for (const auto& item : order.items) {
    if (item.qty < 1 || item.qty > 999 * 999) __builtin_trap();
    if (item.sku.empty()) __builtin_trap();
  }
  return 0;
}
