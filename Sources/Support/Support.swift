/// Module Support: see DESIGN notes in README.
enum SupportModule {}
