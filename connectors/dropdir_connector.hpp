// dropdir: the built-in connector for ERPs that export files (XML, JSON, CSV) into a folder.
//
//   - name: sap
//     type: dropdir
//     path: /srv/erp-export              # the folder the ERP writes into
//     complete_when: stable               # or `renamed` (the ERP writes *.tmp, then renames)
//     settle: 5s
//     streams:
//       - name: customers
//         mapping: mappings/sap-idoc/customers.yaml
//         pattern: "DEBMAS*.xml"          # which files belong to this stream
//     outgoing: /srv/erp-import            # optional: where pushed items are written
//
// One file is one transaction, handed over in pages of page_rows records marked
// Page::continues, which the engine writes in one transaction, so memory stays bounded by the
// page (dropdir_pages.hpp: XML files with a simple records path are streamed whatever their
// size; CSV and JSON files hold their text; other XML files are parsed whole). Its records,
// its rejects and the stream's cursor (which names the file: name, inode, size, mtime) are
// committed together. After the commit
// the engine calls committed(), which moves the file to processed/. A crash before the commit
// leaves the file in the folder and it is read again (the upserts are idempotent: no
// duplicates); a crash between commit and move leaves the cursor naming a file still in the
// folder, and the next run moves it without applying it again.
//
// A file that cannot be read as its format (malformed XML/JSON, broken CSV quoting, a row
// with the wrong cell count, too large) goes to failed/ with `<file>.error` beside it giving
// the line and reason, and the run goes on with the next file; the whole file is checked
// before its first page, so nothing of it reaches the mirror. quarantined() lists the files in
// failed/ with their reasons (`arsync status`, arsync_quarantined_items on /metrics). A record
// that parses but that the mapping refuses is a reject like from any connector; its file
// still counts as processed.
//
// Files are taken oldest first (mtime, then name), those present when a run starts; one that
// arrives during a run waits for the next. Formats: `format: xml|json|csv`, or by extension.
// XML records are the elements the `records` XPath selects (a mapping's records: fills it),
// by default the root's children; when that XPath is a simple absolute path (/*/IDOC/E1KNA1M)
// the file is streamed and a record's XPaths see it and its ancestors, not other siblings
// (mapping/xml_record_stream.hpp). JSON records are the array at `records` ("" = the document).
//
// Push (`outgoing: /srv/erp-import`, optional `outgoing_imported:`): each outbox item is one
// file in that folder, rendered by the stream mapping's push: body (format: json or xml), named
// <kind>-<idempotency key>.<json|xml>, written atomically and durably (dropdir_outgoing.hpp);
// a re-send replaces the same file. Look-up: the file is in outgoing/ or outgoing_imported/.
// Thread contract: pull() on the reader thread, committed() on the writer thread; they share
// only the constant settings and the file system (see connector.hpp).
#pragma once

#include "connectors/connector_spec.hpp"

namespace arsync {

const ConnectorSpec& dropdir_spec();

}  // namespace arsync
