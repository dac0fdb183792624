-- Create index "opening_valid_through_posted_at" to table: "openings"
CREATE INDEX "opening_valid_through_posted_at" ON "openings" ("valid_through", "posted_at") WHERE (((status)::text = 'LIVE'::text) AND ((source)::text <> 'sample'::text));
