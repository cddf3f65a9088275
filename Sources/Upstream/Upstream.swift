/// Module Upstream: see DESIGN notes in README.
enum UpstreamModule {}
