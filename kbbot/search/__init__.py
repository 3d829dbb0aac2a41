"""Finding answers: chunking, embeddings, dense and BM25 indexes, retrieval, confidence, the engine."""
