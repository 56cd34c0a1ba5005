//! Help-desk importers (filled in by the importer work).
