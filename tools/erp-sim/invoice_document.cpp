// invoice_document: see invoice_document.hpp. The PDF follows ISO 32000's minimal structure:
// header, five objects (catalog, page tree, page, content stream, font), an xref table whose
// offsets are the objects' byte positions, and a trailer; a reader needs nothing else.
#include "tools/erp-sim/invoice_document.hpp"

#include <cstdio>
#include <vector>

#include "tools/erp-sim/currency.hpp"
#include "tools/erp-sim/record_json.hpp"
#include "tools/erp-sim/sim_time.hpp"

namespace arsync::sim {
namespace {

std::string number_of(const Invoice& invoice) {
  char text[16];
  std::snprintf(text, sizeof text, "SI-%07lld", static_cast<long long>(invoice.id));
  return text;
}

std::string date_text(int64_t day) {
  char text[16];
  return std::string(text, write_date(text, day));
}

// A PDF string literal: backslash, parentheses escaped (all text here is ASCII).
std::string pdf_string(std::string_view text) {
  std::string out = "(";
  for (const char ch : text) {
    if (ch == '\\' || ch == '(' || ch == ')') out += '\\';
    out += ch;
  }
  return out + ")";
}

std::string money(int64_t minor, Currency currency) {
  return money_text(minor, currency) + " " + std::string(currency_code(currency));
}

// The page's text, one line each, top to bottom.
std::vector<std::string> page_lines(const Invoice& invoice) {
  std::vector<std::string> lines = {
      "INVOICE " + number_of(invoice),
      "Customer " + record_id(Collection::kCustomers, invoice.customer_id),
      "Invoice date " + date_text(invoice.invoice_day) + "   Due " + date_text(invoice.due_day),
      "",
  };
  for (int i = 0; i < invoice.line_count; ++i) {
    const InvoiceLine& line = invoice.lines[i];
    const int64_t halves = line.quantity_halves;
    lines.push_back(std::to_string(i + 1) + ". ITEM-" + std::to_string(line.item) + " " + std::string(line.description) +
                    "  qty " + std::to_string(halves / 2) + (halves % 2 ? ".5" : "") + "  " +
                    money(line.amount, invoice.currency) + "  tax " + money(line.tax, invoice.currency));
  }
  lines.push_back("");
  lines.push_back("Total " + money(invoice.total, invoice.currency));
  lines.push_back("Amount due " + money(invoice.remaining, invoice.currency));
  lines.push_back(std::string("Status ") + std::string(invoice_status_text(invoice.status)));
  return lines;
}

}  // namespace

void write_invoice_document(std::string& out, const Invoice& invoice) {
  const std::string number = number_of(invoice);
  const std::string id = record_id(Collection::kInvoices, invoice.id);
  char modified[32];
  out += "{\"id\":\"" + id + "\",\"invoiceId\":\"" + id + "\",\"number\":\"" + number + "\",\"fileName\":\"" + number +
         ".pdf\",\"mediaType\":\"application/pdf\",\"lastModifiedDateTime\":\"" +
         std::string(modified, write_timestamp(modified, invoice.modified_ms)) + "\"}";
}

void write_invoice_pdf(std::string& out, const Invoice& invoice) {
  // NUL is white space in PDF (ISO 32000-1, 7.2.2, Table 1): the stream opens with one, so every
  // copy also carries a zero byte end to end (a text path would cut or mangle it).
  std::string content = std::string(1, '\0') + "BT /F1 11 Tf 14 TL 56 780 Td\n";
  for (const std::string& line : page_lines(invoice)) content += pdf_string(line) + " '\n";
  content += "ET\n";
  const std::string objects[] = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
      "/Contents 4 0 R >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  };
  const size_t start = out.size();
  // The second line's four bytes above 127 tell transfer tools the file is binary (ISO 32000-1,
  // 7.5.2), and make every copy carry bytes that are not ASCII (nor UTF-8) end to end.
  out += "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < std::size(objects); ++i) {
    offsets.push_back(out.size() - start);
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = out.size() - start;
  out += "xref\n0 " + std::to_string(std::size(objects) + 1) + "\n0000000000 65535 f \n";
  for (const size_t offset : offsets) {
    char entry[24];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offset);
    out += entry;
  }
  out += "trailer\n<< /Size " + std::to_string(std::size(objects) + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
}

}  // namespace arsync::sim
