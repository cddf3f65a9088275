/// Module StandIn: see DESIGN notes in README.
enum StandInModule {}
