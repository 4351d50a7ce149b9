ALTER TABLE "cases" ADD COLUMN "settings_revision" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "settings_undelivered_at" timestamp with time zone;--> statement-breakpoint
-- Each case has at least the revision every open case of its organisation was known to have; the sweep sends the
-- rest.
UPDATE "cases" SET "settings_revision" = "organisations"."settings_delivered_revision" FROM "organisations" WHERE "organisations"."id" = "cases"."organisation_id";--> statement-breakpoint
CREATE INDEX "cases_open_settings_idx" ON "cases" USING btree ("organisation_id","settings_revision") WHERE status not in ('resolved', 'written_off', 'withdrawn');
