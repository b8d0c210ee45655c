// invoice_document: an invoice's printed copy, as the simulated ERP offers it (API.md "Invoice
// documents"): the listing entry GET /odata/invoiceDocuments serves, and the PDF itself
// (GET /odata/invoices('INV-0000001')/pdf). The PDF is generated from the invoice as served now
// (number, customer, dates, lines, total, amount due, status), so a change to the invoice changes
// its copy; it is a small valid PDF 1.4 assembled by hand (one page, Helvetica text, a correct
// xref table) with the customary binary-marker comment. Owned by tools/erp-sim. Stateless; thread-safe.
#pragma once

#include <string>

#include "tools/erp-sim/generator.hpp"

namespace arsync::sim {

// {"id":"INV-0000001","invoiceId":"INV-0000001","number":"SI-0000001","fileName":"SI-0000001.pdf",
//  "mediaType":"application/pdf","lastModifiedDateTime":"..."}
void write_invoice_document(std::string& out, const Invoice& invoice);

// The invoice's PDF (bytes appended to `out`).
void write_invoice_pdf(std::string& out, const Invoice& invoice);

}  // namespace arsync::sim
