/// Module Gateway: see DESIGN notes in README.
enum GatewayModule {}
