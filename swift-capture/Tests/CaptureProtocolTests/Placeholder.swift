// protocol tests
