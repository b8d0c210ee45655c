int placeholder_connectors = 0;
