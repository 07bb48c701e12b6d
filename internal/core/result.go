package core

import (
	"time"

	"switchboard/internal/assess"
)

// Result is what an assessment concluded about a candidate.
type Result struct {
	OrderID     string
	Outcome     assess.Outcome
	Answers     assess.Answers
	StartedAt   time.Time
	SubmittedAt time.Time
}

// Answer is one answered question while the assessment is in progress.
type Answer struct {
	OrderID    string
	QuestionID string
	OptionID   string
	AnsweredAt time.Time
}
