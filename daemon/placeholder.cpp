int placeholder_daemon = 0;
