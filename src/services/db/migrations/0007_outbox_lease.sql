DROP INDEX "email_outbox_redeliver_idx";--> statement-breakpoint
ALTER TABLE "email_outbox" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "email_outbox_redeliver_idx" ON "email_outbox" USING btree ("next_attempt_at") WHERE status <> 'sent' and redeliver_until is not null;--> statement-breakpoint
UPDATE "email_outbox" SET "next_attempt_at" = now() WHERE "status" <> 'sent' AND "redeliver_until" IS NOT NULL;
