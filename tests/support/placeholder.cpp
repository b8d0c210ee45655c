// placeholder until the erp-sim helper lands the process launcher
