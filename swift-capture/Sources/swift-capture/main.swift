// swift-capture entry point (placeholder until the CLI is in)
