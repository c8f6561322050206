from pathlib import Path

from django.conf import settings
from ninja import Router, Status

from server.backups.integrity import integrity_status
from server.backups.jobs import BACKUP_JOBS
from server.backups.schemas import BackupJobOut, BackupListOut, BackupStartIn, IntegrityOut
from server.backups.services import backup_list

router = Router(tags=["Backups"])


@router.get("/backups", response=BackupListOut, summary="The backups")
def backups(request):
    """The backup folder and every backup in it (and in the data folder's own backups
    folder), newest first, each with its size, counts and check."""
    listing = backup_list(data_dir=Path(settings.DATA_DIR))
    return {"folder": str(listing.folder), "backups": [b.as_dict() for b in listing.backups]}


@router.post("/backups", response={202: BackupJobOut}, summary="Take a backup now")
def backup_start(request, body: BackupStartIn):
    """Checks the folder at once (400 with the reason), then writes a consistent
    snapshot, verifies it and records it, in the background: poll the job. 409 while
    another backup is being written, or on PostgreSQL without pg_dump (the detail
    says how to back the server up)."""
    job = BACKUP_JOBS.start(data_dir=Path(settings.DATA_DIR), to=body.to)
    return Status(202, job.as_dict())


@router.get("/backups/jobs/{job_id}", response=BackupJobOut, summary="A backup job's progress")
def backup_job(request, job_id: int):
    """Status and progress of a backup job; the backup when done, the reason when failed."""
    return BACKUP_JOBS.status(job_id)


@router.get("/integrity", response=IntegrityOut, summary="The database's integrity")
def integrity(request):
    """The verdict of the check at start, or of the full check that follows it in the
    background; when damaged, what is wrong in words, the newest good backup and the
    command that restores it."""
    return integrity_status(data_dir=Path(settings.DATA_DIR)).as_dict()
