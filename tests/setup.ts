import "../src/temporal.ts";
