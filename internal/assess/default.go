package assess

// DefaultPackage is a realistic demo package so that a fresh installation
// can run an assessment end to end before anyone has authored their own.
// It returns a fresh copy each call, so callers may modify it.
func DefaultPackage() Package {
	return Package{Modules: []Module{
		{
			Key:         "cognitive_ability",
			Name:        "Cognitive ability",
			Description: "Numerical, verbal and logical reasoning. Each question has one correct answer.",
			Weight:      2,
			Questions: []Question{
				{
					ID:     "ca1",
					Prompt: "Which number comes next in the series 3, 6, 12, 24, …?",
					Options: []Option{
						{ID: "a", Text: "36", Points: 0},
						{ID: "b", Text: "48", Points: 1},
						{ID: "c", Text: "30", Points: 0},
						{ID: "d", Text: "42", Points: 0},
					},
				},
				{
					ID:     "ca2",
					Prompt: "Two colleagues need 6 hours to process a batch of applications. How long would three colleagues need, working at the same pace?",
					Options: []Option{
						{ID: "a", Text: "3 hours", Points: 0},
						{ID: "b", Text: "4 hours", Points: 1},
						{ID: "c", Text: "5 hours", Points: 0},
						{ID: "d", Text: "9 hours", Points: 0},
					},
				},
				{
					ID:     "ca3",
					Prompt: "Everyone on the support team speaks Dutch. Sam does not speak Dutch. Which statement must be true?",
					Options: []Option{
						{ID: "a", Text: "Sam is on the support team.", Points: 0},
						{ID: "b", Text: "Sam is not on the support team.", Points: 1},
						{ID: "c", Text: "Nobody on the support team speaks English.", Points: 0},
						{ID: "d", Text: "It cannot be determined.", Points: 0},
					},
				},
				{
					ID:     "ca4",
					Prompt: "Which word is closest in meaning to “meticulous”?",
					Options: []Option{
						{ID: "a", Text: "Quick", Points: 0},
						{ID: "b", Text: "Generous", Points: 0},
						{ID: "c", Text: "Careful", Points: 1},
						{ID: "d", Text: "Reluctant", Points: 0},
					},
				},
			},
		},
		{
			Key:         "situational_judgement",
			Name:        "Situational judgement",
			Description: "Realistic workplace dilemmas. Options are scored from most to least effective.",
			Weight:      2,
			Questions: []Question{
				{
					ID:     "sj1",
					Prompt: "A customer sends an angry complaint about a mistake a colleague made. The colleague is on leave for a week. What do you do?",
					Options: []Option{
						{ID: "a", Text: "Apologise, fix what you can today and tell the customer when the rest will be resolved.", Points: 3},
						{ID: "b", Text: "Fix the problem yourself without replying, and leave a note for your colleague.", Points: 2},
						{ID: "c", Text: "Forward the complaint to your manager and ask them to deal with it.", Points: 1},
						{ID: "d", Text: "Reply that your colleague will handle it when they are back.", Points: 0},
					},
				},
				{
					ID:     "sj2",
					Prompt: "Halfway through a project you realise you will miss a deadline you agreed with another team. What do you do?",
					Options: []Option{
						{ID: "a", Text: "Work late to try to make it, and only tell them if you fail.", Points: 1},
						{ID: "b", Text: "Tell the other team now, explain why, and propose a new date or a reduced scope.", Points: 3},
						{ID: "c", Text: "Ask your manager to negotiate a new deadline for you.", Points: 2},
						{ID: "d", Text: "Deliver what you have on the deadline without mentioning what is missing.", Points: 0},
					},
				},
				{
					ID:     "sj3",
					Prompt: "A new team member keeps asking you questions, which is slowing down your own work. What do you do?",
					Options: []Option{
						{ID: "a", Text: "Answer every question straight away; helping is more important.", Points: 1},
						{ID: "b", Text: "Suggest a short daily slot for questions and point them to the team documentation.", Points: 3},
						{ID: "c", Text: "Tell them you are busy and that they should ask someone else.", Points: 0},
						{ID: "d", Text: "Mention to your manager that the new starter needs more training.", Points: 2},
					},
				},
			},
		},
		{
			Key:         "work_style",
			Name:        "Work style",
			Description: "Preferences that fit the role: planning, adaptability and collaboration.",
			Weight:      1,
			Questions: []Question{
				{
					ID:     "ws1",
					Prompt: "How do you usually start a larger task?",
					Options: []Option{
						{ID: "a", Text: "I make a plan with milestones before I start.", Points: 3},
						{ID: "b", Text: "I outline the main steps and adjust as I go.", Points: 2},
						{ID: "c", Text: "I start straight away and see where it leads.", Points: 1},
						{ID: "d", Text: "I wait until someone tells me how to approach it.", Points: 0},
					},
				},
				{
					ID:     "ws2",
					Prompt: "Your priorities change suddenly in the middle of the week. How do you feel about that?",
					Options: []Option{
						{ID: "a", Text: "Frustrated; I prefer to finish what I started.", Points: 0},
						{ID: "b", Text: "Fine, as long as someone explains the reason.", Points: 2},
						{ID: "c", Text: "Energised; I like variety.", Points: 3},
						{ID: "d", Text: "Uneasy, but I go along with it.", Points: 1},
					},
				},
				{
					ID:     "ws3",
					Prompt: "Which way of working suits you best?",
					Options: []Option{
						{ID: "a", Text: "Mostly alone, with clear instructions.", Points: 1},
						{ID: "b", Text: "In a team, sharing work and decisions.", Points: 3},
						{ID: "c", Text: "Alone, but checking in with the team regularly.", Points: 2},
						{ID: "d", Text: "It does not matter to me.", Points: 0},
					},
				},
			},
		},
	}}
}
