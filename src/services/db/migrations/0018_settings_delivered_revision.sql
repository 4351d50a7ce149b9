ALTER TABLE "organisations" ADD COLUMN "settings_delivered_revision" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Organisations that saved Settings before this column: their open cases were signalled then; nothing is owed.
UPDATE "organisations" SET "settings_delivered_revision" = "settings_revision";