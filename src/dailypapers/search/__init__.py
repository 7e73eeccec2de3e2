"""Search: keyword and vector retrieval behind one interface, rank fusion, rationales."""
